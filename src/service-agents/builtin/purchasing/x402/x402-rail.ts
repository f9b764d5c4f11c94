/**
 * The x402 payment rail: a paid HTTP resource answers 402 with payment requirements; `quote` reads them
 * (paying nothing), `pay` signs an ERC-3009 authorization for exactly the approved terms and retries
 * with the `PAYMENT-SIGNATURE` header; the merchant's facilitator settles on chain and the
 * `PAYMENT-RESPONSE` header is the receipt. x402's own spend controls cap the payment at the approved
 * amount in the configured asset, and the nonce derived from the idempotency key makes a retried
 * payment the same payment.
 */
import { x402Client, x402HTTPClient } from '@x402/core/client';
import type { Network, PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { getAddress, isAddressEqual, parseAbiItem, type Address, type Hex } from 'viem';
import type { Chain } from '../../../../chain/chain.ts';
import { nowSeconds } from '../../../../domain/clock.ts';
import type { Merchant } from '../merchant-directory.ts';
import {
  MerchantUnavailableError,
  merchantRequest,
  type MerchantResponse,
} from '../merchant-http.ts';
import type {
  PaymentRail,
  PaymentResult,
  Quote,
  QuoteRequest,
  QuoteResult,
  Receipt,
} from '../payment-rail.ts';
import { IdempotentExactEvmScheme, paymentNonce } from './idempotent-exact-scheme.ts';

/** The stablecoin payments are made in: an ERC-3009 token, 1 unit = 1 US dollar. */
export interface X402Asset {
  address: Address;
  name: string;
  version: string;
  decimals: number;
}

export interface X402RailOptions {
  chain: Chain;
  /** Resolved on first use (the dev chain's Test USD is deployed then). */
  asset(): Promise<X402Asset>;
  timeoutMilliseconds?: number;
}

const authorizationState = parseAbiItem(
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
);
const authorizationUsed = parseAbiItem(
  'event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)',
);

interface Probe {
  response: MerchantResponse;
  required?: PaymentRequired;
}

function receipt(quote: Quote, payment: Record<string, unknown>, delivered?: unknown): Receipt {
  const body = delivered as { order_id?: unknown } | undefined;
  return {
    rail: 'x402',
    merchantId: quote.merchant.id,
    orderId:
      typeof body?.order_id === 'string'
        ? body.order_id
        : `x402:${String(payment.transaction ?? payment.nonce)}`,
    url: String(quote.state.url),
    totalAmount: quote.totalAmount,
    currency: 'usd',
    payment,
    ...(delivered === undefined ? {} : { delivered: JSON.stringify(delivered).slice(0, 2000) }),
  };
}

export function createX402Rail(options: X402RailOptions): PaymentRail {
  const timeoutMilliseconds = options.timeoutMilliseconds ?? 10_000;
  // Parses 402 answers and receipts; it holds no scheme, so it can sign nothing.
  const http = new x402HTTPClient(new x402Client());

  async function probe(
    merchant: Merchant,
    url: string,
    signal: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<Probe> {
    const response = await merchantRequest(merchant, {
      method: 'GET',
      url,
      timeoutMilliseconds,
      signal,
      ...(headers ? { headers } : {}),
    });
    if (response.status !== 402) return { response };
    try {
      return {
        response,
        required: http.getPaymentRequiredResponse(
          (name) => response.headers.get(name),
          response.body,
        ),
      };
    } catch {
      return { response };
    }
  }

  /** The one accepted option we can pay: `exact`, our chain, our asset. */
  async function payable(
    required: PaymentRequired,
  ): Promise<{ requirement: PaymentRequirements; asset: X402Asset; cents: number } | undefined> {
    const asset = await options.asset();
    const network = `eip155:${await options.chain.chainId()}`;
    const requirement = required.accepts.find(
      (accept) =>
        accept.scheme === 'exact' &&
        accept.network === network &&
        /^0x[0-9a-fA-F]{40}$/.test(accept.asset) &&
        isAddressEqual(accept.asset as Address, asset.address),
    );
    if (!requirement || !/^\d+$/.test(requirement.amount)) return undefined;
    const unitsPerCent = 10n ** BigInt(Math.max(asset.decimals - 2, 0));
    // Fractions of a cent count as a whole cent, so the value shown is never below what is paid.
    const cents = Number((BigInt(requirement.amount) + unitsPerCent - 1n) / unitsPerCent);
    return { requirement, asset, cents };
  }

  function quoteFrom(
    merchant: Merchant,
    request: { productId: string; title: string; url: string },
    required: PaymentRequired,
    accepted: NonNullable<Awaited<ReturnType<typeof payable>>>,
  ): Quote {
    return {
      rail: 'x402',
      merchant,
      currency: 'usd',
      lines: [
        {
          productId: request.productId,
          title: request.title,
          quantity: 1,
          unitAmount: accepted.cents,
        },
      ],
      fulfillmentAmount: 0,
      taxAmount: 0,
      totalAmount: accepted.cents,
      expiresAt: nowSeconds() + Math.min(accepted.requirement.maxTimeoutSeconds, 600),
      paymentMethod: `x402: ${accepted.asset.name} (${accepted.asset.address}) on ${accepted.requirement.network}, signed by the server wallet, to ${accepted.requirement.payTo}`,
      state: {
        url: request.url,
        productId: request.productId,
        title: request.title,
        requirement: accepted.requirement,
        resource: required.resource,
      },
    };
  }

  async function earlierPayment(
    nonce: Hex,
    asset: X402Asset,
  ): Promise<{ used: boolean; transaction?: Hex }> {
    const payer = await options.chain.signerAddress();
    const used = (await options.chain.read({
      address: asset.address,
      abi: [authorizationState],
      functionName: 'authorizationState',
      args: [payer, nonce],
    })) as boolean;
    if (!used) return { used };
    const client = await options.chain.client();
    const logs = await client.getLogs({
      address: asset.address,
      event: authorizationUsed,
      args: { authorizer: payer, nonce },
      fromBlock: 0n,
    });
    return { used, ...(logs[0]?.transactionHash ? { transaction: logs[0].transactionHash } : {}) };
  }

  return {
    rail: 'x402',

    async quote(request: QuoteRequest, signal: AbortSignal): Promise<QuoteResult> {
      const { merchant, product } = request;
      if (product.purchase.protocol !== 'x402')
        return {
          status: 'unavailable',
          reason: 'rejected',
          message: `${product.id} is not sold over x402.`,
        };
      if (request.quantity !== 1)
        return {
          status: 'unavailable',
          reason: 'rejected',
          message: 'x402 goods are bought one per purchase (quantity 1).',
        };
      const url = `${merchant.baseUrl}${product.purchase.resource}`;
      // Resolve the asset first: on a fresh dev chain that deploys it, which must not eat the merchant's timeout.
      try {
        await options.asset();
      } catch (error) {
        return {
          status: 'unavailable',
          reason: 'rejected',
          message: `x402 payments are not available: ${(error as Error).message}`,
        };
      }
      let probed: Probe;
      try {
        probed = await probe(merchant, url, signal);
      } catch (error) {
        if (error instanceof MerchantUnavailableError)
          return { status: 'unavailable', reason: 'merchant_unavailable', message: error.message };
        throw error;
      }
      if (probed.response.status === 404)
        return {
          status: 'unavailable',
          reason: 'not_found',
          message: `${merchant.id} has no ${product.id}.`,
        };
      if (!probed.required)
        return {
          status: 'unavailable',
          reason: probed.response.status >= 500 ? 'merchant_unavailable' : 'rejected',
          message: `${merchant.id} answered HTTP ${probed.response.status} instead of payment requirements.`,
        };
      const accepted = await payable(probed.required);
      if (!accepted)
        return {
          status: 'unavailable',
          reason: 'rejected',
          message: `${merchant.id} asks for payment in an asset or network this server does not pay in.`,
        };
      return {
        status: 'quoted',
        quote: quoteFrom(
          merchant,
          { productId: product.id, title: product.title, url },
          probed.required,
          accepted,
        ),
      };
    },

    async pay(quote, { idempotencyKey, approvedTotal }, signal): Promise<PaymentResult> {
      const approved = quote.state.requirement as PaymentRequirements;
      const url = String(quote.state.url);
      const nonce = paymentNonce(idempotencyKey);
      const asset = await options.asset();
      const earlier = await earlierPayment(nonce, asset);
      if (earlier.used)
        return {
          status: 'paid',
          alreadyPaid: true,
          receipt: receipt(quote, {
            nonce,
            network: approved.network,
            transaction: earlier.transaction ?? null,
          }),
        };

      let probed: Probe;
      try {
        probed = await probe(quote.merchant, url, signal);
      } catch (error) {
        if (error instanceof MerchantUnavailableError)
          return {
            status: 'failed',
            reason: 'merchant_unavailable',
            message: `${error.message} Nothing was paid.`,
            mayHaveCharged: false,
          };
        throw error;
      }
      if (!probed.required)
        return {
          status: 'failed',
          reason: 'merchant_unavailable',
          message: `${quote.merchant.id} answered HTTP ${probed.response.status} instead of payment requirements. Nothing was paid.`,
          mayHaveCharged: false,
        };
      const accepted = await payable(probed.required);
      if (!accepted)
        return {
          status: 'failed',
          reason: 'rejected',
          message: `${quote.merchant.id} no longer accepts payment in ${asset.name}. Nothing was paid.`,
          mayHaveCharged: false,
        };
      if (
        accepted.cents > approvedTotal ||
        !isAddressEqual(getAddress(accepted.requirement.payTo), getAddress(approved.payTo))
      ) {
        const productId = String(quote.state.productId);
        return {
          status: 'price_changed',
          quote: quoteFrom(
            quote.merchant,
            { productId, title: String(quote.state.title), url },
            probed.required,
            accepted,
          ),
        };
      }

      const payer = await options.chain.signerAddress();
      const client = new x402Client()
        .register(
          accepted.requirement.network as Network,
          new IdempotentExactEvmScheme(options.chain, payer, nonce),
        )
        .setSpendControls({
          allowedAssets: [
            {
              network: accepted.requirement.network as Network,
              asset: asset.address,
              maxAmountPerPayment: accepted.requirement.amount,
            },
          ],
        })
        .registerPolicy((_version, requirements) =>
          requirements.filter((candidate) =>
            isAddressEqual(getAddress(candidate.payTo), getAddress(approved.payTo)),
          ),
        );
      let headers: Record<string, string>;
      try {
        headers = new x402HTTPClient(client).encodePaymentSignatureHeader(
          await client.createPaymentPayload(probed.required),
        );
      } catch (error) {
        return {
          status: 'failed',
          reason: 'rejected',
          message: `The payment was not signed: ${(error as Error).message}. Nothing was paid.`,
          mayHaveCharged: false,
        };
      }

      let paid: MerchantResponse;
      try {
        paid = await merchantRequest(quote.merchant, {
          method: 'GET',
          url,
          headers,
          timeoutMilliseconds,
          signal,
        });
      } catch (error) {
        if (!(error instanceof MerchantUnavailableError)) throw error;
        paid = { status: 0, headers: new Headers(), body: undefined };
      }
      if (paid.status === 200) {
        let settlement: Record<string, unknown> = { nonce };
        try {
          settlement = {
            ...http.getPaymentSettleResponse((name) => paid.headers.get(name)),
            nonce,
          };
        } catch {
          // A merchant that delivered without a receipt header: the chain is the receipt.
          settlement = {
            nonce,
            transaction: (await earlierPayment(nonce, asset)).transaction ?? null,
          };
        }
        return {
          status: 'paid',
          alreadyPaid: false,
          receipt: receipt(quote, settlement, paid.body),
        };
      }
      const after = await earlierPayment(nonce, asset);
      if (after.used)
        return {
          status: 'paid',
          alreadyPaid: false,
          receipt: receipt(quote, {
            nonce,
            network: approved.network,
            transaction: after.transaction ?? null,
          }),
        };
      if (paid.status === 402) {
        const reason = (paid.body as { error?: unknown } | undefined)?.error;
        return {
          status: 'failed',
          reason: 'declined',
          message: `${quote.merchant.id} refused the payment: ${typeof reason === 'string' ? reason : 'no reason given'}. Nothing was paid.`,
          mayHaveCharged: false,
        };
      }
      return {
        status: 'failed',
        reason: 'unconfirmed',
        message: `${quote.merchant.id} did not confirm (HTTP ${paid.status || 'no answer'}) and nothing has been paid on chain so far. The signed authorization stays valid for a few minutes; retrying this purchase reuses it, so at most one payment can ever be made.`,
        mayHaveCharged: true,
      };
    },
  };
}

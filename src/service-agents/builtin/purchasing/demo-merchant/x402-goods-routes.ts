/**
 * The demo merchant's x402 resources: `GET /x402/goods/:id` answers 402 with payment requirements
 * (scheme `exact`, the chain's stablecoin, paid to the merchant), and with a valid `PAYMENT-SIGNATURE`
 * verifies and settles through an in-process x402 facilitator on the same chain, then delivers the good
 * with a `PAYMENT-RESPONSE` receipt. The requirements follow the live price, so a payment signed for an
 * old price no longer matches and is refused unsettled.
 */
import { randomUUID } from 'node:crypto';
import { x402Facilitator } from '@x402/core/facilitator';
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '@x402/core/http';
import { x402ResourceServer } from '@x402/core/server';
import type { Network, PaymentRequirements, SupportedResponse } from '@x402/core/types';
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator';
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Address } from 'viem';
import type { Chain } from '../../../../chain/chain.ts';
import { createChainFacilitatorSigner } from '../x402/chain-facilitator-signer.ts';
import type { DemoCatalog } from './demo-catalog.ts';

/** What the merchant needs to take x402 payments: a chain to settle on and the token it is paid in. */
export interface X402Settlement {
  chain: Chain;
  asset: { address: Address; name: string; version: string; decimals: number };
  /** Where payments go. */
  payTo: Address;
}

export interface X402GoodsDependencies {
  catalog: DemoCatalog;
  /** Resolved on the first paid request (the embedded merchant's token is deployed on first use); undefined: no x402. */
  settlement(): Promise<X402Settlement | undefined>;
  baseUrl(): string;
}

async function createResourceServer(
  settlement: X402Settlement,
): Promise<{ server: x402ResourceServer; network: Network }> {
  const network = `eip155:${await settlement.chain.chainId()}` as Network;
  const facilitator = new x402Facilitator().register(
    network,
    new ExactEvmFacilitatorScheme(await createChainFacilitatorSigner(settlement.chain)),
  );
  const server = new x402ResourceServer({
    verify: (payload, requirements) => facilitator.verify(payload, requirements),
    settle: (payload, requirements) => facilitator.settle(payload, requirements),
    // The facilitator types networks as plain strings; they are the CAIP-2 ids registered above.
    getSupported: async () => facilitator.getSupported() as SupportedResponse,
  }).register(network, new ExactEvmServerScheme());
  await server.initialize();
  return { server, network };
}

async function paymentRequired(
  reply: FastifyReply,
  resource: x402ResourceServer,
  requirements: PaymentRequirements[],
  url: string,
  title: string,
  error?: string,
) {
  const required = await resource.createPaymentRequiredResponse(
    requirements,
    { url, description: title, mimeType: 'application/json' },
    error,
  );
  return reply
    .code(402)
    .header('PAYMENT-REQUIRED', encodePaymentRequiredHeader(required))
    .send(required);
}

export function registerX402GoodsRoutes(
  server: FastifyInstance,
  dependencies: X402GoodsDependencies,
): void {
  let starting: Promise<{ server: x402ResourceServer; network: Network }> | undefined;
  const resourceServer = (settlement: X402Settlement) =>
    (starting ??= createResourceServer(settlement).catch((error: unknown) => {
      starting = undefined;
      throw error;
    }));

  server.get('/x402/goods/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const product = dependencies.catalog.find(id);
    if (!product || product.protocol !== 'x402')
      return reply.code(404).send({ error: `No digital good ${id}.` });
    const settlement = await dependencies.settlement();
    if (!settlement)
      return reply.code(503).send({
        error: 'This merchant takes no x402 payments: it was started without a chain to settle on.',
      });
    const { server: resource, network } = await resourceServer(settlement);
    const { asset } = settlement;
    const amount = (BigInt(product.price) * 10n ** BigInt(asset.decimals - 2)).toString();
    const requirements = await resource.buildPaymentRequirements({
      scheme: 'exact',
      network,
      payTo: settlement.payTo,
      price: { amount, asset: asset.address, extra: { name: asset.name, version: asset.version } },
      maxTimeoutSeconds: 300,
    });
    const url = `${dependencies.baseUrl()}/x402/goods/${id}`;
    const header = request.headers['payment-signature'] ?? request.headers['x-payment'];
    if (typeof header !== 'string')
      return paymentRequired(reply, resource, requirements, url, product.title);

    let payload;
    try {
      payload = decodePaymentSignatureHeader(header);
    } catch {
      return paymentRequired(
        reply,
        resource,
        requirements,
        url,
        product.title,
        'The PAYMENT-SIGNATURE header could not be decoded.',
      );
    }
    const matching = resource.findMatchingRequirements(requirements, payload);
    if (!matching)
      return paymentRequired(
        reply,
        resource,
        requirements,
        url,
        product.title,
        'The payment does not match the current price or terms.',
      );
    const verified = await resource.verifyPayment(payload, matching);
    if (!verified.isValid)
      return paymentRequired(
        reply,
        resource,
        requirements,
        url,
        product.title,
        `Payment refused: ${verified.invalidReason ?? 'invalid'}.`,
      );
    const settled = await resource.settlePayment(payload, matching);
    if (!settled.success)
      return paymentRequired(
        reply,
        resource,
        requirements,
        url,
        product.title,
        `Payment not settled: ${settled.errorReason ?? 'failed'}.`,
      );
    return reply.header('PAYMENT-RESPONSE', encodePaymentResponseHeader(settled)).send({
      product_id: id,
      title: product.title,
      order_id: `x402_${settled.transaction.slice(2, 18)}`,
      license_key: `DEMO-${randomUUID().toUpperCase()}`,
    });
  });
}

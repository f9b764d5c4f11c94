/**
 * x402's `exact` EVM scheme, paid by an ERC-3009 `TransferWithAuthorization`, with one change from
 * `@x402/evm`'s client: the authorization's nonce is derived from our idempotency key instead of drawn at
 * random. The token contract accepts each nonce once, so a payment retried after a crash or a lost
 * answer can never be a second payment: the retry either completes the first or is refused on chain.
 * Requirements, header encoding, spend controls and settlement stay x402's own.
 */
import type {
  PaymentPayloadResult,
  PaymentRequirements,
  SchemeNetworkClient,
} from '@x402/core/types';
import { authorizationTypes } from '@x402/evm';
import { getAddress, keccak256, toHex, type Address, type Hex } from 'viem';
import type { Chain } from '../../../../chain/chain.ts';

/** The ERC-3009 nonce of the payment made under `idempotencyKey`. */
export function paymentNonce(idempotencyKey: string): Hex {
  return keccak256(toHex(`concierge-x402-payment:${idempotencyKey}`));
}

export class IdempotentExactEvmScheme implements SchemeNetworkClient {
  readonly scheme = 'exact';

  constructor(
    private readonly chain: Chain,
    private readonly payer: Address,
    private readonly nonce: Hex,
  ) {}

  async createPaymentPayload(
    x402Version: number,
    requirements: PaymentRequirements,
  ): Promise<PaymentPayloadResult> {
    const method = requirements.extra?.assetTransferMethod ?? 'eip3009';
    if (method !== 'eip3009')
      throw new Error(`Only ERC-3009 payments are made; the merchant asked for ${String(method)}.`);
    const name = requirements.extra?.name;
    const version = requirements.extra?.version;
    if (typeof name !== 'string' || typeof version !== 'string')
      throw new Error(
        'The payment requirements lack the token EIP-712 domain (extra.name, extra.version).',
      );
    const chainId = Number(requirements.network.split(':')[1]);
    const authorization = {
      from: this.payer,
      to: getAddress(requirements.payTo),
      value: requirements.amount,
      validAfter: '0',
      validBefore: String(Math.floor(Date.now() / 1000) + requirements.maxTimeoutSeconds),
      nonce: this.nonce,
    };
    const signature = await this.chain.signTypedData({
      domain: { name, version, chainId, verifyingContract: getAddress(requirements.asset) },
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: {
        from: authorization.from,
        to: authorization.to,
        value: BigInt(authorization.value),
        validAfter: 0n,
        validBefore: BigInt(authorization.validBefore),
        nonce: authorization.nonce,
      },
    });
    return { x402Version, payload: { authorization, signature } };
  }
}

/**
 * The demo merchant's payment service provider: ACP's delegated payment (`POST
 * /agentic_commerce/delegate_payment`) vaults a card and returns a token that only works inside its
 * allowance: one use, one checkout session, one merchant, one currency, at most `max_amount`, until
 * `expires_at`. The merchant charges the token at completion; every charge is kept in a ledger, which
 * is how tests prove that nothing was charged twice.
 */
import { randomUUID } from 'node:crypto';
import type { MerchantControls } from './merchant-controls.ts';

/** Test cards, as card networks' test numbers go: one that pays, one that is always declined. */
export const TEST_CARDS = { pays: '4242424242424242', declines: '4000000000000002' } as const;

interface Allowance {
  reason: 'one_time';
  max_amount: number;
  currency: string;
  checkout_session_id: string;
  merchant_id: string;
  expires_at: string;
}

interface VaultToken {
  id: string;
  cardNumber: string;
  allowance: Allowance;
  used: boolean;
}

export interface Charge {
  id: string;
  token: string;
  checkoutSessionId: string;
  amount: number;
  currency: string;
}

export type ChargeResult =
  { status: 'succeeded'; charge: Charge } | { status: 'declined'; message: string };

export interface DemoPsp {
  /** Vaults the card of a validated `DelegatePaymentRequest`; returns the `DelegatePaymentResponse`. */
  delegate(request: {
    payment_method: { number: string };
    allowance: Allowance;
    metadata: Record<string, string>;
  }): { id: string; created: string; metadata: Record<string, string> };
  charge(request: {
    token: string;
    amount: number;
    currency: string;
    checkoutSessionId: string;
    merchantId: string;
  }): ChargeResult;
  /** Every successful charge, oldest first. */
  readonly charges: Charge[];
}

export function createDemoPsp(controls: MerchantControls): DemoPsp {
  const tokens = new Map<string, VaultToken>();
  const charges: Charge[] = [];
  return {
    charges,
    delegate(request) {
      const id = `vt_${randomUUID().replaceAll('-', '')}`;
      tokens.set(id, {
        id,
        cardNumber: request.payment_method.number,
        allowance: request.allowance,
        used: false,
      });
      return {
        id,
        created: new Date().toISOString(),
        metadata: { ...request.metadata, psp: 'concierge-demo-psp' },
      };
    },
    charge({ token, amount, currency, checkoutSessionId, merchantId }) {
      const vaulted = tokens.get(token);
      if (!vaulted)
        return { status: 'declined', message: 'The payment token is unknown to the PSP.' };
      const { allowance } = vaulted;
      if (vaulted.used)
        return {
          status: 'declined',
          message: 'The payment token was already used (one_time allowance).',
        };
      if (allowance.checkout_session_id !== checkoutSessionId)
        return {
          status: 'declined',
          message: 'The payment token is for another checkout session.',
        };
      if (allowance.merchant_id !== merchantId)
        return { status: 'declined', message: 'The payment token is for another merchant.' };
      if (allowance.currency !== currency)
        return {
          status: 'declined',
          message: `The payment token is for ${allowance.currency}, not ${currency}.`,
        };
      if (Date.parse(allowance.expires_at) <= Date.now())
        return { status: 'declined', message: 'The payment token has expired.' };
      if (amount > allowance.max_amount) {
        return {
          status: 'declined',
          message: `The amount ${amount} exceeds the token's allowance of ${allowance.max_amount} (minor units).`,
        };
      }
      if (controls.declineNextCharge || vaulted.cardNumber === TEST_CARDS.declines) {
        controls.declineNextCharge = false;
        return { status: 'declined', message: 'The card was declined (insufficient funds).' };
      }
      vaulted.used = true;
      const charge = {
        id: `ch_${randomUUID().replaceAll('-', '')}`,
        token,
        checkoutSessionId,
        amount,
        currency,
      };
      charges.push(charge);
      return { status: 'succeeded', charge };
    },
  };
}

/**
 * The payment-rail port: how the purchasing agent quotes and pays at a merchant, whatever the protocol.
 * Two adapters: `acp/acp-rail.ts` (ACP checkout sessions paid with a capped delegated-payment token) and
 * `x402/x402-rail.ts` (HTTP 402, paid by an ERC-3009 signature in a stablecoin). Amounts are integer
 * minor units (cents) of `currency`.
 *
 * The contract every adapter keeps:
 * - `quote` has no effects a person would call a purchase (at most an unpaid checkout session).
 * - `pay` charges at most `approvedTotal`, and at most once per `idempotencyKey`, however often it is
 *   called and however it fails: it looks for an earlier payment under the same key before paying.
 * - When the merchant's terms changed (a higher price), `pay` charges nothing and returns the new quote.
 */
import type { CatalogProduct } from './catalog-search.ts';
import type { Merchant } from './merchant-directory.ts';

export type RailName = 'acp' | 'x402';

export interface QuoteLine {
  productId: string;
  title: string;
  quantity: number;
  /** Minor units per item. */
  unitAmount: number;
}

export interface Quote {
  rail: RailName;
  merchant: Merchant;
  currency: string;
  lines: QuoteLine[];
  /** Shipping and tax, minor units. */
  fulfillmentAmount: number;
  taxAmount: number;
  /** What will be charged, minor units: items, shipping and tax. */
  totalAmount: number;
  /** Unix seconds after which the merchant no longer holds this quote. */
  expiresAt: number;
  /** How it is paid, for a person to read (e.g. "card ending 4242 via a one-time delegated token, capped at $12.34"). */
  paymentMethod: string;
  /** What `pay` needs (a checkout session id, x402 payment requirements); kept private to the agent. */
  state: Record<string, unknown>;
}

export interface QuoteRequest {
  merchant: Merchant;
  product: CatalogProduct;
  quantity: number;
  /** Where physical goods ship; undefined for digital goods. */
  shipTo?: {
    name: string;
    line_one: string;
    line_two?: string;
    city: string;
    state: string;
    country: string;
    postal_code: string;
  };
}

export type QuoteResult =
  | { status: 'quoted'; quote: Quote }
  | {
      status: 'unavailable';
      reason: 'out_of_stock' | 'not_found' | 'needs_address' | 'merchant_unavailable' | 'rejected';
      message: string;
    };

/** What was bought, as the merchant and the payment confirmed it. */
export interface Receipt {
  rail: RailName;
  merchantId: string;
  orderId: string;
  /** A link to the order at the merchant, or the paid resource. */
  url: string | null;
  totalAmount: number;
  currency: string;
  /** The payment: a delegated token id and the PSP's charge, or an on-chain transaction. */
  payment: Record<string, unknown>;
  /** What the merchant delivered for digital goods (a licence key, a download), untrusted text. */
  delivered?: string;
}

export type PaymentResult =
  | { status: 'paid'; receipt: Receipt; alreadyPaid: boolean }
  | { status: 'price_changed'; quote: Quote }
  | {
      status: 'failed';
      reason:
        | 'out_of_stock'
        | 'declined'
        | 'merchant_unavailable'
        | 'expired'
        | 'rejected'
        | 'unconfirmed';
      message: string;
      /** False when nothing was charged; true only for `unconfirmed`, when a charge may exist that the merchant did not confirm. */
      mayHaveCharged: boolean;
    };

export interface PaymentRail {
  readonly rail: RailName;
  /** Prices a purchase at the merchant; no money moves. */
  quote(request: QuoteRequest, signal: AbortSignal): Promise<QuoteResult>;
  /** Pays for `quote`, charging at most `approvedTotal` minor units, once per `idempotencyKey`. */
  pay(
    quote: Quote,
    options: { idempotencyKey: string; approvedTotal: number; expiresAt: number },
    signal: AbortSignal,
  ): Promise<PaymentResult>;
}

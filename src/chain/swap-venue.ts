/**
 * The swap venue port: quote, then execute. Execution approves exactly the input amount (never an
 * unlimited allowance), simulates, swaps with the minimum output and deadline enforced on-chain, and
 * verifies the balances afterwards. Every expected failure is a typed result, not an exception:
 * unknown pair, no liquidity, insufficient balance, slippage exceeded, expired.
 * The adapter today is the dev chain's pool (`swap/`); real venues plug in behind the same port.
 */
import type { Address, Hex } from 'viem';

/** A token a venue can trade. Amounts everywhere are integers in the token's base units. */
export interface SwapToken {
  address: Address;
  name: string;
  symbol: string;
  decimals: number;
}

/** One pool a quote routes through. */
export interface SwapRouteHop {
  pool: Address;
  tokenIn: Address;
  tokenOut: Address;
  feeBps: number;
}

export interface SwapQuote {
  venue: string;
  chainId: number;
  tokenIn: Address;
  tokenOut: Address;
  amountIn: bigint;
  /** What `amountIn` buys at the quoted state, after fees. */
  amountOut: bigint;
  /** How much worse than the pool's mid price (after the fee) this trade fills, in basis points. */
  priceImpactBps: number;
  feeBps: number;
  route: SwapRouteHop[];
  /** Unix seconds. */
  quotedAt: number;
  /** Unix seconds after which `execute` refuses the quote as expired. */
  expiresAt: number;
}

export interface SwapExecuteOptions {
  /** Who receives the output; defaults to the signer. */
  recipient?: Address;
  /** The worst accepted fill below the quoted output, in basis points (0–10,000); enforced on-chain as the minimum output. */
  maxSlippageBps: number;
  /** Unix seconds after which the swap reverts on-chain; defaults to the quote's `expiresAt`. */
  deadline?: number;
}

export type SwapRefusal =
  | { status: 'unknown_pair'; message: string }
  | { status: 'no_liquidity'; message: string }
  | { status: 'insufficient_balance'; message: string; balance: bigint; required: bigint }
  | { status: 'slippage_exceeded'; message: string; amountOut: bigint; minAmountOut: bigint }
  | { status: 'expired'; message: string; expiredAt: number };

export type QuoteOutcome =
  | { status: 'quoted'; quote: SwapQuote }
  | Extract<SwapRefusal, { status: 'unknown_pair' | 'no_liquidity' }>;

/** A swap that was mined, succeeded and moved exactly the balances it should have. */
export interface SwapReceipt {
  status: 'completed';
  chainId: number;
  tokenIn: Address;
  tokenOut: Address;
  amountIn: bigint;
  amountOut: bigint;
  minAmountOut: bigint;
  payer: Address;
  recipient: Address;
  approveTransactionHash: Hex;
  swapTransactionHash: Hex;
  /** Balances read before and after: the payer's input token and the recipient's output token. */
  balances: {
    tokenInBefore: bigint;
    tokenInAfter: bigint;
    tokenOutBefore: bigint;
    tokenOutAfter: bigint;
  };
}

export type SwapOutcome = SwapReceipt | SwapRefusal;

export interface SwapVenue {
  /** A short stable name, e.g. `dev-pool`; quotes carry it so one venue never executes another's quote. */
  readonly name: string;
  /** The tokens this venue trades. */
  tokens(): Promise<SwapToken[]>;
  /** Prices selling `amountIn` (base units) of `tokenIn` for `tokenOut`. Read-only: nothing is sent. */
  quote(tokenIn: Address, tokenOut: Address, amountIn: bigint): Promise<QuoteOutcome>;
  /** Executes a quote as the chain's signer. Throws only for invalid arguments or an unexpected chain failure. */
  execute(quote: SwapQuote, options: SwapExecuteOptions): Promise<SwapOutcome>;
}

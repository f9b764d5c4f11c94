/**
 * The chain's typed errors. They extend the server's error classes, so one that reaches HTTP becomes
 * the right status and OpenAI error body; callers such as service agents catch them to report results.
 */
import type { Hex } from 'viem';
import { InvalidRequestError, UnavailableError } from '../domain/errors.ts';

/** A decoded revert: the custom error or `Error(string)`/`Panic(uint256)` a contract reverted with. */
export interface RevertReason {
  /** e.g. `SlippageExceeded`, `OwnableUnauthorizedAccount`, `Error`, `Panic`; undefined when not decodable. */
  errorName: string | undefined;
  /** The decoded arguments, in order. */
  args: readonly unknown[];
  /** Readable form, e.g. `SlippageExceeded(amountOut: 9, minAmountOut: 10)`. */
  summary: string;
  /** The raw revert data, when the node returned it. */
  data: Hex | undefined;
}

/** The simulation reverted, so the transaction was refused and nothing was sent. */
export class TransactionRevertedError extends InvalidRequestError {
  override name = 'TransactionRevertedError';
  readonly reason: RevertReason;

  constructor(reason: RevertReason, action: string) {
    super(
      `${action} would revert with ${reason.summary}; nothing was sent.`,
      null,
      'transaction_reverted',
    );
    this.reason = reason;
  }
}

/** The node refused the transaction before executing it (insufficient funds for gas, bad nonce, gas cap). */
export class TransactionRejectedError extends InvalidRequestError {
  override name = 'TransactionRejectedError';
  constructor(message: string) {
    super(message, null, 'transaction_rejected');
  }
}

/** The transaction was mined but did not do what it should (failed status, or no code after a deployment). */
export class TransactionFailedError extends InvalidRequestError {
  override name = 'TransactionFailedError';
  readonly hash: Hex;

  constructor(message: string, hash: Hex) {
    super(message, null, 'transaction_failed');
    this.hash = hash;
  }
}

/** No signer is configured (an RPC chain without `CONCIERGE_CHAIN_PRIVATE_KEY`), so nothing can be sent. */
export class ChainSignerMissingError extends InvalidRequestError {
  override name = 'ChainSignerMissingError';
  constructor() {
    super(
      'No chain signer is configured: set CONCIERGE_CHAIN_PRIVATE_KEY to send transactions.',
      null,
      'chain_signer_missing',
    );
  }
}

/** The chain cannot be reached or could not start. */
export class ChainUnavailableError extends UnavailableError {
  override name = 'ChainUnavailableError';
}

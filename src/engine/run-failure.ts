/** A run ending that is not a crash: the model or the input said no. The executor turns it into a status. */
import type { RunErrorCode } from '../domain/run.ts';

export type RunOutcome =
  | { status: 'failed'; code: RunErrorCode }
  | { status: 'incomplete'; reason: 'max_prompt_tokens' | 'max_completion_tokens' };

export class RunFailure extends Error {
  override name = 'RunFailure';
  constructor(
    message: string,
    readonly outcome: RunOutcome,
  ) {
    super(message);
  }
}

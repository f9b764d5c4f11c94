/**
 * Bounded retries with exponential backoff for transient failures (rate limits, 5xx, network), and an
 * idle timeout so a stalled upstream fails the call instead of hanging the run. A call is retried only
 * before its first part: once text has streamed to a client, repeating the call would duplicate it.
 */
import { sleep } from '../domain/clock.ts';
import {
  ModelCallError,
  type LanguageModel,
  type ModelRequest,
  type ModelStreamPart,
} from './language-model.ts';

export interface ResilienceOptions {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest wait for the next part (or the first) before the call counts as stalled. */
  idleTimeoutMs: number;
}

class StalledError extends Error {}

export function withResilience(model: LanguageModel, options: ResilienceOptions): LanguageModel {
  return { stream: (request, signal) => new ResilientParts(model, options, request, signal) };
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * One call's parts through its attempts, as a plain iterator over the current attempt's: a part costs
 * one promise hop here (the error mapping), not an async generator's several.
 */
class ResilientParts implements AsyncIterableIterator<ModelStreamPart> {
  private attempt = 0;
  private attemptController: AbortController | undefined;
  private iterator: AsyncIterator<ModelStreamPart> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private yielded = false;
  private finished = false;
  private readonly forwardAbort = () => this.attemptController?.abort(this.signal.reason);
  private readonly onPart = (next: IteratorResult<ModelStreamPart>) => {
    if (next.done) {
      this.finish();
      return next;
    }
    // The attempt's one stall timer, re-armed (not a new timer per part).
    this.timer?.refresh();
    this.yielded = true;
    return next;
  };
  private readonly onFailure = (error: unknown) => this.retry(error);

  constructor(
    private readonly model: LanguageModel,
    private readonly options: ResilienceOptions,
    private readonly request: ModelRequest,
    private readonly signal: AbortSignal,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ModelStreamPart>> {
    if (this.finished) return Promise.resolve(DONE);
    let pending: Promise<IteratorResult<ModelStreamPart>>;
    try {
      this.iterator ??= this.begin();
      pending = this.iterator.next();
    } catch (error) {
      return this.retry(error);
    }
    return pending.then(this.onPart, this.onFailure);
  }

  async return(): Promise<IteratorResult<ModelStreamPart>> {
    const iterator = this.iterator;
    this.finish();
    await iterator?.return?.();
    return DONE;
  }

  private begin(): AsyncIterator<ModelStreamPart> {
    this.attempt++;
    this.yielded = false;
    this.attemptController = new AbortController();
    this.signal.addEventListener('abort', this.forwardAbort, { once: true });
    this.armTimer();
    return this.model.stream(this.request, this.attemptController.signal)[Symbol.asyncIterator]();
  }

  private armTimer(): void {
    clearTimeout(this.timer);
    const controller = this.attemptController;
    this.timer = setTimeout(
      () => controller?.abort(new StalledError()),
      this.options.idleTimeoutMs,
    );
  }

  /** Ends the attempt: its timer and abort forwarding. */
  private endAttempt(): void {
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.forwardAbort);
    this.iterator = undefined;
  }

  private finish(): void {
    this.finished = true;
    this.endAttempt();
  }

  /** The failed attempt's error mapped; another attempt after a backoff when it may be retried. */
  private async retry(error: unknown): Promise<IteratorResult<ModelStreamPart>> {
    const stalled = this.attemptController?.signal.reason instanceof StalledError;
    this.endAttempt();
    if (this.signal.aborted) {
      this.finished = true;
      throw this.signal.reason;
    }
    const failure = stalled
      ? new ModelCallError(
          `The model did not respond within ${Math.round(this.options.idleTimeoutMs / 1000)} seconds.`,
          'server_error',
          true,
        )
      : error instanceof ModelCallError
        ? error
        : new ModelCallError(
            `The model call failed: ${(error as Error).message}`,
            'server_error',
            true,
            { cause: error },
          );
    if (this.yielded || !failure.retryable || this.attempt >= this.options.attempts) {
      this.finished = true;
      throw failure;
    }
    try {
      await sleep(
        Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (this.attempt - 1)),
        this.signal,
      );
    } catch (aborted) {
      this.finished = true;
      throw aborted;
    }
    return this.next();
  }
}

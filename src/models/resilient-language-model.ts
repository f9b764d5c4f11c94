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
  return {
    async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelStreamPart> {
      for (let attempt = 1; ; attempt++) {
        const attemptController = new AbortController();
        const forwardAbort = () => attemptController.abort(signal.reason);
        signal.addEventListener('abort', forwardAbort, { once: true });
        let timer: NodeJS.Timeout | undefined;
        const armTimer = () => {
          clearTimeout(timer);
          timer = setTimeout(
            () => attemptController.abort(new StalledError()),
            options.idleTimeoutMs,
          );
        };
        let yielded = false;
        try {
          armTimer();
          const iterator = model.stream(request, attemptController.signal)[Symbol.asyncIterator]();
          for (;;) {
            const next = await iterator.next();
            if (next.done) return;
            armTimer();
            yielded = true;
            yield next.value;
          }
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          const failure =
            attemptController.signal.reason instanceof StalledError
              ? new ModelCallError(
                  `The model did not respond within ${Math.round(options.idleTimeoutMs / 1000)} seconds.`,
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
          if (yielded || !failure.retryable || attempt >= options.attempts) throw failure;
          await sleep(
            Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)),
            signal,
          );
        } finally {
          clearTimeout(timer);
          signal.removeEventListener('abort', forwardAbort);
        }
      }
    },
  };
}

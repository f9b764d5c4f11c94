/**
 * A model call sent ahead of the run's `in_progress` commit: the executor sends a new run's first
 * request, lets it leave, and commits `in_progress` while the model thinks. The parts are only read
 * after that commit, so the status event is still stored (and sent) before any token's. If the commit
 * finds the run no longer this worker's, the call is aborted and nothing it returned is written.
 */
import type { LanguageModel, ModelRequest, ModelStreamPart } from '../models/language-model.ts';

export interface StartedModelCall {
  /** The call's parts, the first already requested. Read once. */
  parts: AsyncIterable<ModelStreamPart>;
  /** Stops the call (the run did not start here); its pending result is dropped. */
  abort(reason: unknown): void;
}

/** Starts `model`'s stream now; aborted with `signal` too. */
export function startModelCall(
  model: LanguageModel,
  request: ModelRequest,
  signal: AbortSignal,
): StartedModelCall {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', forwardAbort, { once: true });
  const iterator = model.stream(request, controller.signal)[Symbol.asyncIterator]();
  const first = iterator.next();
  // Read only after the commit; a failure meanwhile is the reader's to see, not unhandled.
  first.catch(() => {});
  const release = () => signal.removeEventListener('abort', forwardAbort);
  // The model's own iterator, its first result the one already requested: no generator in between,
  // so each part reaches the reader in the model's hops alone. The listener goes with the end.
  let head: Promise<IteratorResult<ModelStreamPart>> | undefined = first;
  const parts: AsyncIterableIterator<ModelStreamPart> = {
    [Symbol.asyncIterator]: () => parts,
    next() {
      const result = head ?? iterator.next();
      head = undefined;
      result.then((next) => next.done && release(), release);
      return result;
    },
    return() {
      head = undefined;
      release();
      return iterator.return?.() ?? Promise.resolve({ done: true, value: undefined });
    },
  };
  return {
    parts,
    abort(reason) {
      signal.removeEventListener('abort', forwardAbort);
      controller.abort(reason);
    },
  };
}

/** Lets what this turn of the event loop wrote (a request on its socket) leave before going on. */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

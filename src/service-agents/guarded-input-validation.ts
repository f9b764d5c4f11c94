/**
 * A call's arguments checked against its agent's input schema without letting the schema's regular
 * expressions hold the event loop. Input schemas are written by users (and a model writes the
 * arguments, from text anyone may have put in the conversation); a `pattern` such as `^(a+)+$`
 * backtracks exponentially on `aaaa…!`, which would stop every request and run of the process. A
 * schema with `pattern` or `patternProperties` is therefore checked in a worker thread, stopped when
 * its matching of one call passes the time limit; other schemas are checked in place.
 *
 * One worker serves every call, so a call costs a message instead of a thread start (and a schema is
 * compiled once per worker, not per call). It starts with the first call that needs it, answers the
 * calls in the order they were sent, and is replaced when it is stopped: the call it was matching
 * fails, the calls queued behind it go to the new worker. It holds the process open only while a
 * call waits on it; `close` ends it.
 */
import { Worker } from 'node:worker_threads';
import { validateInput } from './input-validation.ts';
import type { ValidationReply, ValidationRequest } from './input-validation-worker.ts';

export type InputValidation = { input: Record<string, unknown> } | { error: string };

/** How long the worker may spend matching one call's arguments, from the moment it starts on them. */
export const PATTERN_TIME_LIMIT_MILLISECONDS = 1000;

const REGEX_KEYWORD = /"pattern(?:Properties)?":/;

const WORKER_ENTRY = new URL('./input-validation-worker-entry.mjs', import.meta.url);

/** Whether checking against `schema` runs a regular expression the schema's author wrote. */
export function hasPatterns(schema: Record<string, unknown>): boolean {
  return REGEX_KEYWORD.test(JSON.stringify(schema));
}

export interface GuardedInputValidator {
  /** `validateInput`, in the shared worker with a time limit when the schema has patterns. */
  validate(schema: Record<string, unknown>, argumentsText: string): Promise<InputValidation>;
  /** Ends the worker; calls waiting on it, and calls after this, get an error outcome. */
  close(): Promise<void>;
}

interface PendingCall extends ValidationRequest {
  resolve(outcome: InputValidation): void;
  /** Set once the worker has started matching this call. */
  timer?: NodeJS.Timeout;
}

export function createGuardedInputValidator(
  timeLimitMilliseconds = PATTERN_TIME_LIMIT_MILLISECONDS,
): GuardedInputValidator {
  let worker: Worker | undefined;
  let closed = false;
  let nextId = 0;
  /** Calls sent to the current worker and not answered, in the order it answers them. */
  const pending = new Map<number, PendingCall>();

  function answer(call: PendingCall, outcome: InputValidation) {
    clearTimeout(call.timer);
    pending.delete(call.id);
    call.resolve(outcome);
    if (pending.size === 0) worker?.unref();
  }

  function send(call: PendingCall) {
    if (!worker) worker = start();
    worker.ref();
    const { id, schema, argumentsText } = call;
    // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a browser window
    worker.postMessage({ id, schema, argumentsText } satisfies ValidationRequest);
  }

  function start(): Worker {
    const started = new Worker(WORKER_ENTRY);
    started.on('message', (reply: ValidationReply) => {
      const call = pending.get(reply.id);
      if (!call) return;
      if ('outcome' in reply) return answer(call, reply.outcome);
      call.timer = setTimeout(() => {
        answer(call, {
          error: `The arguments could not be checked against the agent's input schema: its patterns took more than ${timeLimitMilliseconds / 1000} s on them.`,
        });
        replace(started);
      }, timeLimitMilliseconds);
    });
    started.on('error', (error) =>
      lost(started, `The arguments could not be checked: ${error.message}.`),
    );
    started.on('exit', () => lost(started, 'The arguments could not be checked.'));
    return started;
  }

  /** Ends `stopped` and sends the calls it had not answered to a new worker. */
  function replace(stopped: Worker) {
    if (worker !== stopped) return;
    stopped.removeAllListeners();
    stopped.on('error', () => {});
    void stopped.terminate();
    worker = undefined;
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      delete call.timer;
      send(call);
    }
  }

  /**
   * The worker failed or ended by itself: the call it was matching fails, and the others are sent
   * again; when it had started on none (it could not even load), they all fail, not to start
   * workers that fail in a loop.
   */
  function lost(failed: Worker, message: string) {
    if (worker !== failed) return;
    const matching = [...pending.values()].filter((call) => call.timer);
    for (const call of matching.length > 0 ? matching : [...pending.values()])
      answer(call, { error: message });
    replace(failed);
  }

  return {
    async validate(schema, argumentsText) {
      if (!hasPatterns(schema)) return validateInput(schema, argumentsText);
      if (closed) return { error: 'The arguments could not be checked: the server is closing.' };
      return new Promise<InputValidation>((resolve) => {
        const call: PendingCall = { id: nextId++, schema, argumentsText, resolve };
        pending.set(call.id, call);
        send(call);
      });
    },
    async close() {
      closed = true;
      for (const call of pending.values())
        answer(call, { error: 'The arguments could not be checked: the server is closing.' });
      const stopping = worker;
      worker = undefined;
      stopping?.removeAllListeners();
      stopping?.on('error', () => {});
      await stopping?.terminate();
    },
  };
}

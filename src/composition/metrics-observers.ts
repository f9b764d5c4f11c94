/**
 * Where the metrics hear what happens, without the engine knowing them: the event bus (every stored
 * run event is published once, by the process that wrote it) and the model port (each call's first
 * part and end). Both wrappers only watch; they change nothing that passes through.
 */
import type { EventBus } from '../engine/event-bus.ts';
import type { Run } from '../domain/run.ts';
import { isTerminal } from '../domain/run-status.ts';
import type { RunEvent } from '../domain/run-event.ts';
import type { Announcement } from '../storage/ports/runs-port.ts';
import type {
  LanguageModel,
  ModelRequest,
  ModelResolver,
  ModelStreamPart,
} from '../models/language-model.ts';
import type { Metrics } from './metrics.ts';

/** The run events the metrics read; every other event passes without being parsed. */
const WATCHED = new Set([
  'thread.run.created',
  'thread.run.completed',
  'thread.run.incomplete',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.expired',
]);

function observeEvent(metrics: Metrics, event: RunEvent): void {
  if (!WATCHED.has(event.event)) return;
  const run = JSON.parse(event.data) as Pick<Run, 'status' | 'model' | 'usage'>;
  if (event.event === 'thread.run.created') return metrics.runCreated(run.model);
  if (!isTerminal(run.status)) return;
  metrics.runEnded(
    run.status,
    run.model,
    run.usage?.prompt_tokens ?? 0,
    run.usage?.completion_tokens ?? 0,
  );
}

/** The bus, with each published run event also counted (creations, final statuses and their usage). */
export function observedBus(bus: EventBus, metrics: Metrics): EventBus {
  return new Proxy(bus, {
    get(target, property, receiver) {
      if (property !== 'publish') {
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return (events: RunEvent[], announcement?: Announcement) => {
        target.publish(events, announcement);
        for (const event of events) observeEvent(metrics, event);
      };
    },
  });
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The call's parts, timed as they pass: the model's own promises are handed to the reader, each
 * watched by a callback registered before the reader's (so it sees the part first), which costs the
 * part no promise hop (an async generator here cost it two). The call is recorded once, when it
 * ends, fails or is returned.
 */
function timedStream(
  metrics: Metrics,
  modelName: string,
  parts: AsyncIterable<ModelStreamPart>,
): AsyncIterableIterator<ModelStreamPart> {
  const iterator = parts[Symbol.asyncIterator]();
  let started: number | undefined;
  let firstPart: number | undefined;
  let outcome: 'ok' | 'error' = 'error';
  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    const now = performance.now();
    metrics.modelCall(modelName, outcome, firstPart, (now - (started ?? now)) / 1000);
  };
  const onPart = (result: IteratorResult<ModelStreamPart>) => {
    if (result.done) return record();
    firstPart ??= (performance.now() - started!) / 1000;
    if (result.value.type === 'finish') outcome = 'ok';
  };
  const timed: AsyncIterableIterator<ModelStreamPart> = {
    [Symbol.asyncIterator]: () => timed,
    next() {
      if (recorded) return Promise.resolve(DONE);
      started ??= performance.now();
      let pending: Promise<IteratorResult<ModelStreamPart>>;
      try {
        pending = iterator.next();
      } catch (error) {
        record();
        return Promise.reject(error);
      }
      // The failure is the reader's to see; this branch only records it.
      pending.then(onPart, record);
      return pending;
    },
    async return() {
      record();
      await iterator.return?.();
      return DONE;
    },
  };
  return timed;
}

/** The resolver, with each model call's time to first part and duration observed by model name. */
export function observedModels(models: ModelResolver, metrics: Metrics): ModelResolver {
  return {
    resolve(modelName) {
      const resolved = models.resolve(modelName);
      const model: LanguageModel = {
        stream: (request: ModelRequest, signal: AbortSignal) =>
          timedStream(metrics, modelName, resolved.model.stream(request, signal)),
      };
      return { ...resolved, model };
    },
  };
}

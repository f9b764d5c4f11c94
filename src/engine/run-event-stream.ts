/**
 * A run's events after a given seq, stored ones first and then live ones, strictly in seq order with
 * no gaps and no duplicates: live events that arrive out of order or with a gap before them are
 * completed from the run_events table. Ends after a stream-ending event (requires_action or a
 * terminal status), or when `signal` aborts.
 */
import { STREAM_ENDING_EVENTS, type RunEvent } from '../domain/run-event.ts';
import type { RunEventRepository } from '../storage/ports/runs-port.ts';
import type { EventBus } from './event-bus.ts';

const PAGE = 500;

export interface RunEventStreamOptions {
  events: RunEventRepository;
  bus: EventBus;
  runId: string;
  afterSeq: number;
  signal: AbortSignal;
}

export async function* runEventStream({ events, bus, runId, afterSeq, signal }: RunEventStreamOptions): AsyncGenerator<RunEvent> {
  let nextSeq = afterSeq + 1;
  const pending: RunEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = bus.subscribe(runId, (event) => {
    pending.push(event);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      // Read whatever the table has beyond what was delivered (the backlog, or a gap).
      for (;;) {
        const stored = await events.listAfter(runId, nextSeq - 1, PAGE);
        for (const event of stored) {
          nextSeq = event.seq + 1;
          yield event;
          if (STREAM_ENDING_EVENTS.has(event.event)) return;
        }
        if (stored.length < PAGE) break;
      }
      // Deliver live events in order; anything out of order sends us back to the table.
      let gap = false;
      while (!gap) {
        if (signal.aborted) return;
        const event = pending.shift();
        if (!event) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (event.seq < nextSeq) continue;
        if (event.seq > nextSeq) {
          gap = true;
          pending.unshift(event);
          break;
        }
        nextSeq = event.seq + 1;
        yield event;
        if (STREAM_ENDING_EVENTS.has(event.event)) return;
      }
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}

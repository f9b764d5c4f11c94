/**
 * A run's events after a given seq, stored ones first and then live ones, strictly in seq order with
 * no gaps and no duplicates: live events that arrive out of order or with a gap before them are
 * completed from the run_events table. Ends after a stream-ending event (requires_action or a
 * terminal status), or when `signal` aborts. A stream that hears nothing for `recheckMs` reads the
 * table again: across processes a notification can be lost (a dropped LISTEN connection), and the
 * table is the record.
 */
import { STREAM_ENDING_EVENTS, type RunEvent } from '../domain/run-event.ts';
import type { RunEventRepository } from '../storage/ports/runs-port.ts';
import type { EventBus } from './event-bus.ts';

const PAGE = 500;
const RECHECK_MS = 2000;

export interface RunEventStreamOptions {
  events: RunEventRepository;
  bus: EventBus;
  runId: string;
  afterSeq: number;
  signal: AbortSignal;
  /** Milliseconds without a live event after which the table is read again. */
  recheckMs?: number;
}

export async function* runEventStream({
  events,
  bus,
  runId,
  afterSeq,
  signal,
  recheckMs = RECHECK_MS,
}: RunEventStreamOptions): AsyncGenerator<RunEvent> {
  let nextSeq = afterSeq + 1;
  const pending: RunEvent[] = [];
  let wake: ((heard: boolean) => void) | undefined;
  const unsubscribe = bus.subscribe(runId, (event) => {
    pending.push(event);
    wake?.(true);
  });
  const onAbort = () => wake?.(true);
  signal.addEventListener('abort', onAbort);
  // One timer for the stream's life, re-armed when a wait starts (not one per live event); it
  // fires into the void while events are being delivered.
  const quiet = setTimeout(() => wake?.(false), recheckMs);
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
          quiet.refresh();
          const heard = await new Promise<boolean>((resolve) => (wake = resolve));
          wake = undefined;
          if (!heard) gap = true;
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
    clearTimeout(quiet);
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}

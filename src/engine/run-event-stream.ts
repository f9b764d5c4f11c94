/**
 * A run's events after a given seq, stored ones first and then live ones, strictly in seq order with
 * no gaps and no duplicates: live events that arrive out of order or with a gap before them are
 * completed from the run_events table. Ends after a stream-ending event (requires_action or a
 * terminal status), or when `signal` aborts. A stream that hears nothing for `recheckMs` reads the
 * table again: across processes a notification can be lost (a dropped LISTEN connection), and the
 * table is the record. A stream whose run was deleted (with its thread) ends when it finds the table
 * has none of its events.
 */
import { STREAM_ENDING_EVENTS, type RunEvent } from '../domain/run-event.ts';
import type { RunEventRepository } from '../storage/ports/runs-port.ts';
import type { EventBus } from './event-bus.ts';

const PAGE = 500;
const RECHECK_MS = 2000;
/**
 * Longest a followed stream holds the events its run's creation stored while this process's worker
 * starts the run (a start that waits on I/O, such as an MCP server's tool list, lets them go alone).
 */
const START_WAIT_MS = 100;

/** A run's live events, held from the moment of subscribing until they are read. */
export class LiveRunEvents {
  private readonly pending: RunEvent[] = [];
  private wake: (() => void) | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;
  private quiet: NodeJS.Timeout | undefined;
  private signal: AbortSignal | undefined;

  constructor(bus: EventBus, runId: string) {
    this.unsubscribe = bus.subscribe(runId, (event) => {
      this.pending.push(event);
      this.wake?.();
    });
  }

  /** The next event heard, or undefined after `waitMs` of silence or once `signal` aborts. */
  async next(waitMs: number, signal: AbortSignal): Promise<RunEvent | undefined> {
    if (this.pending.length > 0 || signal.aborted) return this.pending.shift();
    if (this.signal !== signal) {
      this.stopListening();
      this.signal = signal;
      signal.addEventListener('abort', this.onAbort);
    }
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      // One timer for the subscription's life, re-armed per wait (not one per live event); it fires
      // into the void while events are being delivered.
      if (this.quiet) this.quiet.refresh();
      else this.quiet = setTimeout(this.onAbort, waitMs);
    });
    this.wake = undefined;
    return signal.aborted ? undefined : this.pending.shift();
  }

  /**
   * Resolves once an event is held, after `waitMs` without one, or when `signal` aborts; it takes
   * nothing (`next` does).
   */
  async arrival(waitMs: number, signal: AbortSignal): Promise<void> {
    if (this.pending.length > 0 || signal.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    const wake = () => this.wake?.();
    signal.addEventListener('abort', wake, { once: true });
    try {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, waitMs);
      });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', wake);
      this.wake = undefined;
    }
  }

  private readonly onAbort = () => this.wake?.();

  private stopListening(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal = undefined;
  }

  /** Puts back an event read too early (a gap before it). */
  putBack(event: RunEvent): void {
    this.pending.unshift(event);
  }

  /** Ends the subscription (once; later calls do nothing). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.quiet);
    this.stopListening();
    this.unsubscribe();
  }
}

/**
 * What the action that created a run hands its stream, so the stream reads nothing back: the events
 * it stored, and a subscription made before any later event of the run could be published.
 */
export interface RunFollow {
  /** The events stored with the run, in seq order, from seq 1. */
  stored: RunEvent[];
  live: LiveRunEvents;
  /**
   * The run went to this process's worker: the stream's first frames wait for the run's first live
   * event (its `in_progress`, stored once the model request has left), so the client is woken once, by
   * one socket write of the three, instead of taking a CPU while the run starts (see START_WAIT_MS).
   */
  handedOff: boolean;
}

export interface RunEventStreamOptions {
  events: RunEventRepository;
  bus: EventBus;
  runId: string;
  afterSeq: number;
  signal: AbortSignal;
  /** Milliseconds without a live event after which the table is read again. */
  recheckMs?: number;
  /** Given by the run's creation (then `afterSeq` is 0): its events are not read back. */
  follow?: RunFollow;
}

export async function* runEventStream({
  events,
  bus,
  runId,
  afterSeq,
  signal,
  recheckMs = RECHECK_MS,
  follow,
}: RunEventStreamOptions): AsyncGenerator<RunEvent> {
  let nextSeq = afterSeq + 1;
  const live = follow?.live ?? new LiveRunEvents(bus, runId);
  try {
    // Handed the creation's events, the stream starts live: nothing stored is missing.
    let backlogKnown = false;
    if (follow) {
      if (follow.handedOff) await live.arrival(START_WAIT_MS, signal);
      for (const event of follow.stored) {
        if (event.seq !== nextSeq) continue;
        nextSeq = event.seq + 1;
        yield event;
      }
      backlogKnown = true;
    }
    for (;;) {
      // Read whatever the table has beyond what was delivered (the backlog, or a gap).
      if (backlogKnown) backlogKnown = false;
      else
        for (;;) {
          // From the last event delivered on: once one was, finding none means the run's events are
          // gone with it (its thread was deleted), and nothing more will come.
          const stored = await events.listAfter(runId, nextSeq - 2, PAGE);
          if (stored.length === 0 && nextSeq > 1) return;
          for (const event of stored) {
            if (event.seq < nextSeq) continue;
            nextSeq = event.seq + 1;
            yield event;
            if (STREAM_ENDING_EVENTS.has(event.event)) return;
          }
          if (stored.length < PAGE) break;
        }
      // Deliver live events in order; anything out of order sends us back to the table.
      for (;;) {
        if (signal.aborted) return;
        const event = await live.next(recheckMs, signal);
        if (!event) {
          if (signal.aborted) return;
          break;
        }
        if (event.seq < nextSeq) continue;
        if (event.seq > nextSeq) {
          live.putBack(event);
          break;
        }
        nextSeq = event.seq + 1;
        yield event;
        if (STREAM_ENDING_EVENTS.has(event.event)) return;
      }
    }
  } finally {
    live.close();
  }
}

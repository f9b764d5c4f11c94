/**
 * A new run given straight to this process's own worker: the run is inserted already leased to it, and
 * the worker starts executing it without a claim query or a wake-up. When the worker has no free slot
 * (or this process runs none), the run is inserted unleased and any worker claims it as usual.
 */
import type { Message } from '../domain/message.ts';
import type { RunRecord } from '../domain/run-record.ts';

/**
 * What the inserting process knows of a run it hands its worker (or the claim read with the run), so
 * the worker need not read it.
 */
export interface HandedRun {
  /** The seq of the run's last stored event. */
  lastSeq: number;
  /**
   * The thread's messages, in order, of a run that never started: when the run's own transaction
   * created the thread (so they are all of them), or as the claim read them; undefined when the
   * worker reads them.
   */
  messages?: Message[];
}

export interface RunReservation {
  workerId: string;
  /** Lease end, Unix milliseconds. */
  leaseUntil: number;
  /** Hands over the stored run and what is known of it. */
  adopt(record: RunRecord, handed: HandedRun): void;
  /** The insert failed: frees the slot. */
  cancel(): void;
}

export interface RunHandOff {
  /**
   * Waits for this process's turn to set up a new run (see setup-turns.ts), so that the streams of
   * running runs are served first; undefined: go at once.
   */
  setupTurn(): Promise<void> | undefined;
  /** A slot on this process's worker, or undefined when there is none. */
  reserve(): RunReservation | undefined;
}

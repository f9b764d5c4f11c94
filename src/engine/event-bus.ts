/**
 * The event bus port: fans stored run events out to every node's streaming clients, wakes workers
 * when a run becomes claimable, and carries cancel requests to the worker holding a run. Delivery is
 * best effort; the run_events table is the record, so subscribers fill gaps from it by seq.
 */
import type { RunEvent } from '../domain/run-event.ts';
import type { Announcement } from '../storage/ports/runs-port.ts';

export interface EventBus {
  /**
   * Announces events that are already stored. With their `announcement` (from `announcement`), once
   * the store sent it (`sent`), delivers them in this process only; else sends it as well.
   */
  publish(events: RunEvent[], announcement?: Announcement): void;
  /**
   * The notifications that carry `events` to other processes (with `runnable`, the workers' wake-up
   * too), for a store to send in the round trip that stores them (PostgreSQL); absent when the bus
   * reaches no other process.
   */
  announcement?(events: readonly RunEvent[], runnable?: boolean): Announcement;
  /** Calls `listener` with events of `runId` published from now on; returns the unsubscribe function. */
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
  /**
   * Says that a run can be claimed (created, or tool outputs submitted). With the `announcement` that
   * carries it (`runnable`, already given to `publish`, which sent it if the store did not), wakes
   * this process's workers only.
   */
  notifyRunnable(announcement?: Announcement): void;
  onRunnable(listener: () => void): () => void;
  /** Asks whichever worker holds `runId` to stop it. */
  notifyCancel(runId: string): void;
  onCancel(listener: (runId: string) => void): () => void;
  close(): Promise<void>;
  /** Resolves once the bus hears other processes (or its first attempt failed and it keeps retrying). */
  ready?: Promise<void>;
}

/**
 * The event bus port: fans stored run events out to every node's streaming clients, wakes workers
 * when a run becomes claimable, and carries cancel requests to the worker holding a run. Delivery is
 * best effort; the run_events table is the record, so subscribers fill gaps from it by seq.
 */
import type { RunEvent } from '../domain/run-event.ts';

export interface EventBus {
  /** Announces events that are already stored. */
  publish(events: RunEvent[]): void;
  /** Calls `listener` with events of `runId` published from now on; returns the unsubscribe function. */
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
  /** Says that a run can be claimed (created, or tool outputs submitted). */
  notifyRunnable(): void;
  onRunnable(listener: () => void): () => void;
  /** Asks whichever worker holds `runId` to stop it. */
  notifyCancel(runId: string): void;
  onCancel(listener: (runId: string) => void): () => void;
  close(): Promise<void>;
  /** Resolves once the bus hears other processes (or its first attempt failed and it keeps retrying). */
  ready?: Promise<void>;
}

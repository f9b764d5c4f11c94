/**
 * The event bus within one process: the embedded default (SQLite, one node), and the local half of
 * the PostgreSQL bus, which adds delivery to other processes.
 */
import type { RunEvent } from '../../domain/run-event.ts';
import type { EventBus } from '../event-bus.ts';

function add<Listener>(set: Set<Listener>, listener: Listener): () => void {
  set.add(listener);
  return () => set.delete(listener);
}

export interface InProcessEventBus extends EventBus {
  /** Whether anyone in this process listens to `runId`'s events (to any run's, without `runId`). */
  hasSubscribers(runId?: string): boolean;
}

export function createInProcessEventBus(): InProcessEventBus {
  const subscribers = new Map<string, Set<(event: RunEvent) => void>>();
  const runnableListeners = new Set<() => void>();
  const cancelListeners = new Set<(runId: string) => void>();

  return {
    publish(events) {
      for (const event of events) {
        for (const listener of subscribers.get(event.runId) ?? []) listener(event);
      }
    },
    hasSubscribers: (runId) =>
      runId === undefined ? subscribers.size > 0 : subscribers.has(runId),
    subscribe(runId, listener) {
      let set = subscribers.get(runId);
      if (!set) subscribers.set(runId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) subscribers.delete(runId);
      };
    },
    notifyRunnable() {
      for (const listener of runnableListeners) listener();
    },
    onRunnable: (listener) => add(runnableListeners, listener),
    notifyCancel(runId) {
      for (const listener of cancelListeners) listener(runId);
    },
    onCancel: (listener) => add(cancelListeners, listener),
    async close() {
      subscribers.clear();
      runnableListeners.clear();
      cancelListeners.clear();
    },
  };
}

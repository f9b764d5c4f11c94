/**
 * Ports through which another API surface takes part in running its runs, without the engine knowing
 * it: where a run's history comes from, and what must be written when a run settles. The Responses
 * API implements both (a response's history is items, and its object is materialized when its run
 * pauses or ends); composition passes them to the engine and the worker.
 */
import type { Run } from '../domain/run.ts';
import type { RunRecord } from '../domain/run-record.ts';
import type { ModelMessage } from '../models/language-model.ts';
import type { Store } from '../storage/store.ts';

/** The history of a run whose options say it does not come from its thread (`history`). */
export interface RunHistory {
  /**
   * The conversation before the run's own turns, oldest first, as model messages (function calls with
   * their outputs included). The request builder fits it to the window like thread messages.
   */
  read(record: RunRecord): Promise<ModelMessage[]>;
}

/** A run that just paused (`requires_action`) or ended, and the transaction that wrote it. */
export interface SettledRun {
  projectId: string;
  run: Run;
}

/**
 * Called inside the transaction that writes a run's `requires_action` or terminal status (with its
 * events, already stored in it). A hook that throws rolls the status write back. `concerns` says
 * which runs it can write for (without it, every run): a run that no hook concerns settles without a
 * transaction around its status write (on PostgreSQL, one statement).
 */
export type RunSettledHook = ((transaction: Store, settled: SettledRun) => Promise<void>) & {
  concerns?: (run: Run) => boolean;
};

const SETTLED = new Set([
  'requires_action',
  'completed',
  'incomplete',
  'failed',
  'cancelled',
  'expired',
]);

/**
 * `store`, with every status compare-and-set that settles a run followed, in its transaction, by
 * `hooks`. Every status write of the engine (worker, cancel, expiry, tool outputs) goes through
 * `runs.compareAndSet` or `runs.writeWithEvents`, so this is the one place a settlement is seen.
 */
export function withSettledHooks(store: Store, hooks: RunSettledHook[]): Store {
  if (hooks.length === 0) return store;
  /** The hooks to call when `run` is written; none when it does not settle. */
  const hooksFor = (run: Run) =>
    SETTLED.has(run.status) ? hooks.filter((hook) => hook.concerns?.(run) ?? true) : [];
  const compareAndSet: Store['runs']['compareAndSet'] = (projectId, run, ...rest) => {
    const called = hooksFor(run);
    if (called.length === 0) return store.runs.compareAndSet(projectId, run, ...rest);
    return store.transaction(async (transaction) => {
      const stored = await transaction.runs.compareAndSet(projectId, run, ...rest);
      if (stored) for (const hook of called) await hook(transaction, { projectId, run });
      return stored;
    });
  };
  const writeWithEvents: Store['runs']['writeWithEvents'] = (
    projectId,
    writes,
    events,
    status,
    ...rest
  ) => {
    const called = status ? hooksFor(status.run) : [];
    if (called.length === 0)
      return store.runs.writeWithEvents(projectId, writes, events, status, ...rest);
    return store.transaction(async (transaction) => {
      const written = await transaction.runs.writeWithEvents(projectId, writes, events, status);
      if (written)
        for (const hook of called) await hook(transaction, { projectId, run: status!.run });
      return written;
    });
  };
  return {
    ...store,
    runs: { ...store.runs, compareAndSet, writeWithEvents },
    transaction: (work) =>
      store.transaction((transaction) => work(withSettledHooks(transaction, hooks))),
  };
}

/**
 * The worker: claims runs from the runs table (a lease renewed by heartbeat), executes up to
 * `concurrency` of them at once, stops the ones a client cancels, expires runs that waited too long,
 * gives back new runs whose thread's files are still being indexed (they wait queued, not in a slot),
 * and on stop drains: running runs finish, or are handed back (lease released) when the drain time is up.
 */
import { randomBytes } from 'node:crypto';
import { nowSeconds } from '../domain/clock.ts';
import type { EventBus } from './event-bus.ts';
import { EventSink } from './event-sink.ts';
import { watchLoopLoad, type LoopLoad } from './loop-load.ts';
import { createSetupTurns } from './setup-turns.ts';
import type { RunRecord } from '../domain/run-record.ts';
import { executeRun, type ExecutorDependencies } from './run-executor.ts';
import { expireRun } from './run-transitions.ts';
import { threadFilesWaitUntil } from './thread-files-wait.ts';
import type { HandedRun, RunHandOff } from './run-hand-off.ts';
import { CancelRequested, HandBack } from './stop-reasons.ts';

export interface WorkerOptions {
  dependencies: Omit<ExecutorDependencies, 'workerId' | 'sink'>;
  bus: EventBus;
  /** Most runs executing at once (a memory bound); within it, the event loop's load decides. */
  concurrency: number;
  leaseMs: number;
  /** How often to look for work without being woken (a safety net for missed notifications). */
  pollMs?: number;
  /** How often to look for expired runs. */
  sweepMs?: number;
  /** Seconds a new run waits for files its thread's vector stores are indexing (0: no wait). */
  threadFilesWaitSeconds?: number;
  /** Called when this worker claims a run that another worker left mid-run (its lease lapsed). */
  onTakeover?: () => void;
  /**
   * Called after each heartbeat with the runs whose leases it renewed, for holds that must last as
   * long as a run (a response's conversation). A failure is logged; the runs go on.
   */
  onHeartbeat?: (runIds: string[]) => Promise<void>;
}

export interface Worker extends RunHandOff {
  readonly id: string;
  /** Runs executing now. */
  readonly active: number;
  start(): void;
  /** Stops claiming, waits up to `drainMs` for running runs, then hands the rest back. */
  stop(drainMs: number): Promise<void>;
  /** Looks for work now (tests and the API call this after creating a run in-process). */
  wake(): void;
}

function allDone(active: Map<string, { done: Promise<void> }>): Promise<unknown> {
  return Promise.all([...active.values()].map((execution) => execution.done));
}

export function createWorker(options: WorkerOptions): Worker {
  const id = `worker_${randomBytes(6).toString('hex')}`;
  const { store, log } = options.dependencies;
  const dependencies: ExecutorDependencies = {
    ...options.dependencies,
    workerId: id,
    sink: new EventSink(store.runEvents, options.bus, id),
  };
  const active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const timers: NodeJS.Timeout[] = [];
  const unsubscribers: Array<() => void> = [];
  let running = false;
  let claiming = false;
  let wokenWhileClaiming = false;

  /** Slots promised to runs being inserted by this process (see run-hand-off.ts). */
  let reserved = 0;
  let load: LoopLoad | undefined;
  /** Shared by this worker's claims and the runs handed to it at insert: one setup per loop turn. */
  const turns = createSetupTurns();

  /**
   * Whether one more run may start: under the count bound, and, unless the worker is idle, with room
   * on the event loop (see loop-load.ts), so running streams are served before new runs are set up.
   */
  function hasRoom(): boolean {
    if (active.size + reserved >= options.concurrency) return false;
    return active.size + reserved === 0 || (load?.admit() ?? true);
  }

  /** Gives a new run back to the queue while its thread's files are indexed; true if it was. */
  async function deferred(record: RunRecord): Promise<boolean> {
    const now = Date.now();
    const until = await threadFilesWaitUntil(
      store,
      record,
      options.threadFilesWaitSeconds ?? 0,
      now,
    );
    if (until === undefined || !(await store.runs.deferClaim(record.run.id, id, until)))
      return false;
    setTimeout(pump, until - now + 10).unref();
    return true;
  }

  function launch(record: RunRecord, handed?: HandedRun): void {
    const controller = new AbortController();
    const done = deferred(record)
      .then((waiting) =>
        waiting ? false : executeRun(dependencies, record, controller.signal, handed),
      )
      .catch((error) => {
        log.error({ err: error, runId: record.run.id }, 'run execution crashed');
        return false;
      })
      .then(async (ended) => {
        // A run that ended gave its lease up with its final status write.
        if (!ended)
          await store.runs
            .releaseLease(record.run.id, id)
            .catch((error) =>
              log.warn({ err: error, runId: record.run.id }, 'could not release a lease'),
            );
        const wasFull = active.size + reserved >= options.concurrency;
        active.delete(record.run.id);
        // With a free slot the last claim found the queue empty, and a new run wakes the worker
        // (or the poll finds it): only a full worker has runs waiting for the slot just freed.
        if (wasFull) pump();
        return undefined;
      });
    active.set(record.run.id, { controller, done });
  }

  async function claim(): Promise<void> {
    while (hasRoom()) {
      await turns.take();
      if (!running) return;
      const now = Date.now();
      const record = await store.runs.claimNext(id, now, now + options.leaseMs);
      if (!record) return;
      // This worker's own run, whose lease lapsed while its loop was held up: the claim renewed it,
      // and the execution under way goes on (a second one would run the run twice).
      if (active.has(record.run.id)) continue;
      // Only a run some worker had started is claimed in another status than `queued`.
      if (record.run.status !== 'queued') options.onTakeover?.();
      const { lastSeq, messages, ...claimed } = record;
      launch(claimed, { lastSeq, ...(messages && { messages }) });
    }
  }

  function pump(): void {
    if (!running) return;
    if (claiming) {
      wokenWhileClaiming = true;
      return;
    }
    claiming = true;
    wokenWhileClaiming = false;
    claim()
      .catch((error) => log.warn({ err: error }, 'claiming runs failed; will retry'))
      .finally(() => {
        claiming = false;
        if (wokenWhileClaiming) pump();
      });
  }

  async function heartbeat(): Promise<void> {
    if (active.size === 0) return;
    // Judged are only the executions whose leases were asked for: a run claimed while the renewal
    // is on its way is not in its answer, and has a fresh lease of its own.
    const renewing = new Map(active);
    const held = await store.runs.renewLeases(
      id,
      [...renewing.keys()],
      Date.now() + options.leaseMs,
    );
    const statuses = new Map(held.map((row) => [row.id, row.status]));
    for (const [runId, execution] of renewing) {
      if (active.get(runId) !== execution) continue; // ended meanwhile
      const status = statuses.get(runId);
      if (status === undefined)
        execution.controller.abort(new HandBack('The lease of this run was lost.'));
      else if (status === 'cancelling') execution.controller.abort(new CancelRequested());
    }
    await options
      .onHeartbeat?.(held.map((row) => row.id))
      .catch((error) => log.warn({ err: error }, 'renewing holds of running runs failed'));
  }

  async function sweep(): Promise<void> {
    for (const record of await store.runs.listExpired(nowSeconds(), 50)) {
      await expireRun(store, options.bus, record.projectId, record.run, record.options.include);
    }
  }

  function every(milliseconds: number, task: () => Promise<void>, what: string): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      task()
        .catch((error) => log.warn({ err: error }, `${what} failed; will retry`))
        .finally(() => (busy = false));
    }, milliseconds);
    timer.unref();
    timers.push(timer);
  }

  return {
    id,
    get active() {
      return active.size;
    },
    start() {
      if (running) return;
      running = true;
      load = watchLoopLoad();
      load.onRoom(pump);
      unsubscribers.push(options.bus.onRunnable(pump));
      unsubscribers.push(
        options.bus.onCancel((runId) => active.get(runId)?.controller.abort(new CancelRequested())),
      );
      every(Math.max(250, Math.floor(options.leaseMs / 3)), heartbeat, 'heartbeat');
      every(options.pollMs ?? 1000, async () => pump(), 'polling');
      every(options.sweepMs ?? 1000, sweep, 'expiry sweep');
      pump();
    },
    async stop(drainMs) {
      running = false;
      load?.stop();
      for (const timer of timers.splice(0)) clearInterval(timer);
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      const drained = await Promise.race([
        allDone(active).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), drainMs).unref()),
      ]);
      if (!drained) {
        for (const execution of active.values())
          execution.controller.abort(new HandBack('The worker is shutting down.'));
        await allDone(active);
      }
    },
    wake: pump,
    setupTurn: () => turns.take(),
    reserve() {
      if (!running || !hasRoom()) return undefined;
      reserved += 1;
      let settled = false;
      const settle = () => {
        if (settled) return false;
        settled = true;
        reserved -= 1;
        return true;
      };
      return {
        workerId: id,
        leaseUntil: Date.now() + options.leaseMs,
        adopt(record, handed) {
          if (!settle()) return;
          if (running) return launch(record, handed);
          // Stopped meanwhile: give the run back at once, for another worker.
          store.runs
            .releaseLease(record.run.id, id)
            .then(() => options.bus.notifyRunnable())
            .catch((error) =>
              log.warn({ err: error, runId: record.run.id }, 'could not release a lease'),
            );
        },
        cancel() {
          if (settle()) pump();
        },
      };
    },
  };
}

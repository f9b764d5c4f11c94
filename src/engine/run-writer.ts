/**
 * The only way a worker changes a run it holds. Writes are serialized per run: a state change (a
 * compare-and-set on the status, with its events and the rows it closes, in one atomic write; one
 * statement on PostgreSQL), a message or step opened or closed with its events (the same), or a batch
 * of buffered events (deltas) is stored first and published after. Every event is therefore sent once, after what it
 * announces is persisted, and a client reading the table sees the same order as a live one.
 */
import type { Run, RunStatus } from '../domain/run.ts';
import { nowSeconds } from '../domain/clock.ts';
import { JsonText } from '../domain/json-text.ts';
import { assertTransition, isTerminal } from '../domain/run-status.ts';
import type { RunEvent, RunEventName } from '../domain/run-event.ts';
import type { NewRunEvent } from '../domain/run-record.ts';
import type { Announcement, RunObjectWrites, RunStatusWrite } from '../storage/ports/runs-port.ts';
import type { Store } from '../storage/store.ts';
import type { EventBus } from './event-bus.ts';
import type { EventSink } from './event-sink.ts';

/** The run's status changed under us (another node cancelled or expired it, or took the lease). */
export class RunOwnershipLostError extends Error {
  override name = 'RunOwnershipLostError';
}

export interface RunWriterOptions {
  /** What it writes through: the run context's view of the store, which sees what it writes. */
  store: Store;
  bus: EventBus;
  /** Where buffered events go (batched with other runs' events). */
  sink: EventSink;
  projectId: string;
  workerId: string;
  run: Run;
  /** The last stored seq of this run when the writer took it. */
  lastSeq: number;
  /**
   * Who the run's usage is recorded for when it ends (in the final status change's write), and how
   * many model calls it made; without it nothing is recorded.
   */
  usage?: {
    apiKeyId: string | null;
    modelRequests(): number;
    /**
     * What adds the run's tokens to its limit counters, in the final status change's transaction;
     * undefined when no limit of the run's scopes counts tokens (the change is then one write).
     */
    tokenCounter?(): Promise<((transaction: Store, tokens: number) => Promise<void>) | undefined>;
  };
}

export class RunWriter {
  /** The run as last written by this writer. */
  run: Run;
  private seq: number;
  private buffer: RunEvent[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly options: RunWriterOptions) {
    this.run = options.run;
    this.seq = options.lastSeq;
  }

  /** Serializes `work` after every earlier write; a failure poisons the writer. */
  private enqueue<Result>(work: () => Promise<Result>): Promise<Result> {
    const result = this.chain.then(() => {
      if (this.failure) throw this.failure;
      return work();
    });
    this.chain = result.then(
      () => undefined,
      (error) => {
        this.failure ??= error;
      },
    );
    return result;
  }

  /** Buffers an event; it is stored and published with the next batch (within one turn of the event loop). */
  emit(event: RunEventName, data: unknown): void {
    this.buffer.push(this.stamp(event, data));
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      void this.flush().catch(() => {});
    });
  }

  /**
   * Stores `writes` with `events` in one atomic write, after every earlier write, and publishes the
   * events once it is stored: an object and the events announcing it are stored together. Events
   * still buffered go first, in the same write, so the log keeps the order they were emitted in.
   */
  commit(
    writes: RunObjectWrites,
    events: Array<{ event: RunEventName; data: unknown }>,
  ): Promise<void> {
    return this.enqueue(async () => {
      const stored = this.buffer;
      this.buffer = [];
      // An object announced twice in a row (a step created, then in progress) is serialized once.
      events.forEach(({ event, data }, index) => {
        const same = index > 0 && events[index - 1]!.data === data;
        stored.push(
          same
            ? { runId: this.run.id, seq: ++this.seq, event, data: stored.at(-1)!.data }
            : this.stamp(event, data),
        );
      });
      const { bus, store, projectId } = this.options;
      const announcement = bus.announcement?.(stored);
      await this.held(() =>
        store.runs.writeWithEvents(projectId, writes, stored, undefined, announcement),
      );
      bus.publish(stored, announcement);
    });
  }

  /**
   * Runs a write of the run's objects. When it fails and the run is gone (its thread was deleted: a
   * foreign key fails) or another worker holds it (a seq is taken), the failure is the run lost to
   * this worker (`RunOwnershipLostError`), not an error of the run: the execution stops quietly.
   */
  private async held<Result>(work: () => Promise<Result>): Promise<Result> {
    try {
      return await work();
    } catch (error) {
      const holder = await this.options.store.runs.findRecord(this.run.id).then(
        (record) => record?.lockedBy ?? null,
        () => this.options.workerId, // the database cannot tell: the failure stands
      );
      if (holder === this.options.workerId) throw error;
      throw new RunOwnershipLostError(
        `Run ${this.run.id} is ${holder === null ? 'gone or not held' : 'held by another worker'}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** `data` already serialized (a `JsonText`) is stored as is. */
  private stamp(event: RunEventName, data: unknown): RunEvent {
    const text = data instanceof JsonText ? data.text : JSON.stringify(data);
    return { runId: this.run.id, seq: ++this.seq, event, data: text };
  }

  /** Stores and publishes buffered events; resolves when they are out. */
  flush(): Promise<void> {
    return this.enqueue(async () => {
      if (this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        await this.options.sink.append(batch);
      } catch (error) {
        throw new RunOwnershipLostError(
          `Could not append events of ${this.run.id}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    });
  }

  /**
   * Moves the run to `next` (its status must differ or equal the current one as the machine allows),
   * storing `events` and `writes` (what the change closes: the answer's message and step) with it,
   * atomically. Throws `RunOwnershipLostError` when the stored status or lease is no longer ours, and
   * `InvalidTransitionError` (writing nothing) when the run status machine has no such move; either
   * way nothing of it is stored.
   */
  async transition(
    next: Run,
    events: Array<{ event: RunEventName; data: unknown }>,
    writes?: RunObjectWrites,
  ): Promise<void> {
    await this.flush();
    await this.enqueue(async () => {
      const expected: RunStatus = this.run.status;
      assertTransition(expected, next.status);
      const newEvents: NewRunEvent[] = events.map((event) => ({
        runId: next.id,
        event: event.event,
        data: JSON.stringify(event.data),
      }));
      const { store, projectId, workerId, usage } = this.options;
      const lost = () =>
        new RunOwnershipLostError(`Run ${next.id} is no longer '${expected}' under this worker.`);
      const casOn = (target: Store) =>
        target.runs.compareAndSet(projectId, next, expected, newEvents, workerId, this.seq);
      // The final status change and the run's usage record land together: the compare-and-set lets
      // one writer end the run, so its usage is counted exactly once, even after a takeover.
      const recorded = usage && isTerminal(next.status) ? next.usage : null;
      // With an announcement to send (PostgreSQL), the change goes as `writeWithEvents`, which sends it.
      const announces = this.options.bus.announcement !== undefined;
      let stored: RunEvent[] | null;
      let announcement: Announcement | undefined;
      if (!recorded && !writes && !announces) stored = await casOn(store);
      else {
        let seq = this.seq;
        const numbered = newEvents.map((event) => ({ ...event, seq: ++seq }));
        const status: RunStatusWrite = { run: next, expectedStatus: expected, workerId };
        if (recorded)
          status.usage = {
            projectId,
            apiKeyId: usage!.apiKeyId,
            model: next.model,
            endedAt: nowSeconds(),
            inputTokens: recorded.prompt_tokens,
            outputTokens: recorded.completion_tokens,
            modelRequests: usage!.modelRequests(),
          };
        announcement = this.options.bus.announcement?.(numbered);
        const write = (target: Store) =>
          target.runs.writeWithEvents(projectId, writes ?? {}, numbered, status, announcement);
        const counter = recorded ? await usage!.tokenCounter?.() : undefined;
        const written = counter
          ? await store.transaction(async (transaction) => {
              if (!(await write(transaction))) return false;
              await counter(transaction, recorded!.prompt_tokens + recorded!.completion_tokens);
              return true;
            })
          : await write(store);
        stored = written ? numbered : null;
      }
      if (!stored) throw lost();
      this.run = next;
      if (stored.length > 0) this.seq = stored[stored.length - 1]!.seq;
      this.options.bus.publish(stored, announcement);
    });
  }

  /**
   * Re-reads the run: another node may have changed its status (a cancel request). Throws
   * `RunOwnershipLostError` when the run is no longer locked by this worker.
   */
  async refresh(): Promise<Run> {
    await this.flush();
    return this.enqueue(async () => {
      const record = await this.options.store.runs.findRecord(this.run.id);
      if (!record || record.lockedBy !== this.options.workerId)
        throw new RunOwnershipLostError(`Run ${this.run.id} is no longer held by this worker.`);
      this.run = record.run;
      return record.run;
    });
  }

  /** Runs a storage write in order with the events around it (a message or step update). */
  write<Result>(work: () => Promise<Result>): Promise<Result> {
    return this.flush().then(() => this.enqueue(() => this.held(work)));
  }
}

/**
 * What one execution of a run works from, built once per turn: the run's steps, read once when the
 * worker takes the run and then held in memory, and the thread's messages, read once per model turn.
 * Only the worker holding a run writes its steps (other nodes write them only while no worker holds
 * it), so the phases write through `store`, a view of the store that keeps both lists current with
 * every step and message write, a transaction's once it commits.
 */
import type { Message } from '../domain/message.ts';
import type { ModelMessage } from '../models/language-model.ts';
import type { RunStep } from '../domain/run.ts';
import type { RunRecord, StepTranscript } from '../domain/run-record.ts';
import type { RunHolder } from '../storage/ports/runs-port.ts';
import type { Store } from '../storage/store.ts';
import { RunOwnershipLostError } from './run-writer.ts';

export interface StepEntry {
  step: RunStep;
  transcript: StepTranscript | null;
}

type Change =
  | { kind: 'step'; step: RunStep; transcript: StepTranscript | null | undefined }
  | { kind: 'message'; message: Message }
  | { kind: 'message-deleted'; id: string };

export class RunContext {
  /** The run's steps, oldest first, as stored. */
  readonly steps: StepEntry[];
  /** The thread's messages as of this turn, oldest first (with this turn's own writes). */
  messages: Message[] = [];
  /** The history from the `RunHistory` port, for a run whose history is not its thread's. */
  history: ModelMessage[] | undefined;
  /** The store, seen through this context: step and message writes keep the lists above current. */
  readonly store: Store;
  readonly projectId: string;

  /** The worker that took the run, whose writes are made only while it holds the run. */
  private readonly heldBy: RunHolder | undefined;

  private constructor(
    private readonly base: Store,
    private readonly record: RunRecord,
    steps: StepEntry[],
    /** The thread's messages as the run's creation stored them: the first turn's, not read. */
    private handedMessages: Message[] | undefined,
  ) {
    this.steps = steps;
    this.projectId = record.projectId;
    this.heldBy = record.lockedBy ? { runId: record.run.id, workerId: record.lockedBy } : undefined;
    this.store = this.track(base, (change) => this.apply(change));
  }

  /**
   * The context of a run a worker just took. A run that never started (queued, no `started_at`) has no
   * steps: nothing is read. `messages`: the thread's, handed by the run's creation (see HandedRun).
   */
  static async load(store: Store, record: RunRecord, messages?: Message[]): Promise<RunContext> {
    const fresh = record.run.status === 'queued' && record.run.started_at === null;
    const steps = fresh ? [] : await store.runSteps.listAll(record.projectId, record.run.id);
    return new RunContext(store, record, steps, fresh ? messages : undefined);
  }

  /** Reads the thread's messages: once at the start of each model turn (the first may be handed). */
  async readMessages(): Promise<Message[]> {
    const handed = this.handedMessages;
    this.handedMessages = undefined;
    if (handed) return (this.messages = [...handed]);
    this.messages = await this.base.messages.listAll(
      this.record.projectId,
      this.record.run.thread_id,
    );
    return this.messages;
  }

  /**
   * Counts `step` as written before its transaction commits: the run's final transaction writes the
   * answer's step with the run's end, and the usage it records must include that step. Only that
   * transaction follows; if it fails, its writer writes nothing more for this execution.
   */
  stage(step: RunStep): void {
    this.apply({ kind: 'step', step, transcript: undefined });
  }

  private apply(change: Change): void {
    if (change.kind === 'message-deleted') {
      this.messages = this.messages.filter((message) => message.id !== change.id);
      return;
    }
    if (change.kind === 'message') {
      const { message } = change;
      if (message.thread_id !== this.record.run.thread_id) return;
      const index = this.messages.findIndex((entry) => entry.id === message.id);
      if (index === -1) this.messages.push(message);
      else this.messages[index] = message;
      return;
    }
    const { step, transcript } = change;
    if (step.run_id !== this.record.run.id) return;
    const index = this.steps.findIndex((entry) => entry.step.id === step.id);
    if (index === -1) this.steps.push({ step, transcript: transcript ?? null });
    // An update without a transcript keeps the stored one (as `runSteps.update` does).
    else this.steps[index] = { step, transcript: transcript ?? this.steps[index]!.transcript };
  }

  /**
   * `store`, with its step and message writes reported to `record` once they are stored, and made
   * only while the worker that took the run still holds it (checked in each write's own statement):
   * a worker that froze past its lease while another took the run over writes nothing on waking, and
   * learns so from a `RunOwnershipLostError` (a write with a status change says so by returning false).
   */
  private track(store: Store, record: (change: Change) => void): Store {
    const { runs, runSteps, messages } = store;
    const { heldBy } = this;
    const lost = (what: string) =>
      new RunOwnershipLostError(
        `Run ${this.record.run.id} is no longer held by ${heldBy?.workerId}: ${what} not written.`,
      );
    return {
      ...store,
      runs: {
        ...runs,
        writeWithEvents: async (projectId, writes, events, status, announcement) => {
          const written = await runs.writeWithEvents(
            projectId,
            status || !heldBy ? writes : { ...writes, heldBy },
            events,
            status,
            announcement,
          );
          if (!written && !status && heldBy) throw lost('a write of its messages and steps');
          if (!written) return false;
          for (const message of [
            ...(writes.insertMessages ?? []),
            ...(writes.updateMessages ?? []),
          ])
            record({ kind: 'message', message });
          for (const step of writes.insertSteps ?? [])
            record({ kind: 'step', step, transcript: null });
          for (const step of writes.updateSteps ?? [])
            record({ kind: 'step', step, transcript: undefined });
          return true;
        },
      },
      runSteps: {
        ...runSteps,
        insert: async (projectId, step, transcript) => {
          if (!(await runSteps.insert(projectId, step, transcript, heldBy)))
            throw lost(`step ${step.id}`);
          record({ kind: 'step', step, transcript: transcript ?? null });
          return true;
        },
        update: async (projectId, step, transcript) => {
          if (!(await runSteps.update(projectId, step, transcript, heldBy)))
            throw lost(`step ${step.id}`);
          record({ kind: 'step', step, transcript });
          return true;
        },
      },
      messages: {
        ...messages,
        insert: async (projectId, message) => {
          await messages.insert(projectId, message);
          record({ kind: 'message', message });
        },
        update: async (projectId, message) => {
          const updated = await messages.update(projectId, message);
          if (updated) record({ kind: 'message', message });
          return updated;
        },
        delete: async (projectId, id) => {
          const deleted = await messages.delete(projectId, id);
          if (deleted) record({ kind: 'message-deleted', id });
          return deleted;
        },
      },
      transaction: async (work) => {
        const pending: Change[] = [];
        const result = await store.transaction((transaction) =>
          work(this.track(transaction, (change) => pending.push(change))),
        );
        pending.forEach(record);
        return result;
      },
    };
  }
}

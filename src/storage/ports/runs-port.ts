/**
 * Storage of runs, run steps and run events. The runs table is also the work queue: a worker claims a
 * run with a lease it renews by heartbeat; when the lease lapses, another worker may take the run
 * over. Every status write is a compare-and-set on the status the writer last saw, so two nodes can
 * never both move a run.
 */
import type { JsonText } from '../../domain/json-text.ts';
import type { Message } from '../../domain/message.ts';
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type { Run, RunStatus, RunStep } from '../../domain/run.ts';
import type { RunEvent } from '../../domain/run-event.ts';
import type { Thread } from '../../domain/thread.ts';
import type { NewRunEvent, RunRecord, StepTranscript } from '../../domain/run-record.ts';
import type { UsageEntry } from './usage-port.ts';

/** Thrown by `RunRepository.insert` when the thread already has an active run. */
export class ActiveRunConflictError extends Error {
  override name = 'ActiveRunConflictError';
}

/**
 * Thrown by `RunRepository.insert` when the assistant's row is no longer at the version the run was
 * built from (`RunCreationWrites.assistant`): changed or deleted since it was read. Nothing is stored.
 */
export class StaleAssistantError extends Error {
  override name = 'StaleAssistantError';
}

/** The worker a run's write is made for: it is stored only while that worker holds (locks) the run. */
export interface RunHolder {
  runId: string;
  workerId: string;
}

/** The messages and steps a worker stores with the events that announce them (each row once). */
export interface RunObjectWrites {
  insertMessages?: readonly Message[];
  updateMessages?: readonly Message[];
  insertSteps?: readonly RunStep[];
  updateSteps?: readonly RunStep[];
  /**
   * Without a status change: stores the writes (and their events) only while this worker holds the
   * run, checked in the write itself; `writeWithEvents` returns false, writing nothing, otherwise.
   */
  heldBy?: RunHolder | undefined;
}

/** The rows a run's creation stores before the run: its new thread (if any) and messages. */
export interface RunCreationWrites {
  thread?: Thread | undefined;
  messages?: readonly Message[];
  /**
   * The assistant the run was built from, at the version it was read at
   * (`AssistantRepository.findVersioned`): the insert checks it in the same statement and throws
   * `StaleAssistantError` when the row has changed since. Only a store that gives versions checks them.
   */
  assistant?: { id: string; version: string } | undefined;
}

/**
 * Notifications that announce a write's events to other processes (PostgreSQL NOTIFY, built by the
 * event bus). A store that can sends them itself after the write's commit, in the write's round
 * trip, and sets `sent`; else (SQLite, inside a transaction, a failure after the commit) `sent`
 * stays false and the bus sends them as usual.
 */
export interface Announcement {
  /** The parameters of the notify statement: channel, payload, channel, payload… */
  readonly notifications: readonly string[];
  sent: boolean;
}

/** A status compare-and-set to make with a write (see `compareAndSet`), and the usage of a run's end. */
export interface RunStatusWrite {
  run: Run;
  expectedStatus: RunStatus;
  workerId?: string | undefined;
  usage?: UsageEntry | undefined;
}

export interface RunRepository {
  /**
   * Inserts a new run with its first events (seq 1, 2, …), locked as `record` says (a process may
   * insert a run already leased to its own worker). Throws `ActiveRunConflictError` when its
   * thread already has an active run: the database enforces one per thread, on every node. Inside a
   * transaction the conflict aborts the whole transaction, as it should. `created`: the thread and
   * messages to store first, with the run (all or nothing). `announcement`: see `Announcement`.
   */
  insert(
    record: RunRecord,
    events: NewRunEvent[],
    created?: RunCreationWrites,
    announcement?: Announcement,
  ): Promise<RunEvent[]>;
  /**
   * Whether `insert` is atomic on its own, without the caller's transaction (PostgreSQL: one
   * statement); else a caller that stores more than the run brackets it in `store.transaction`.
   */
  readonly insertIsAtomic: boolean;
  find(projectId: string, runId: string): Promise<Run | undefined>;
  findRecord(runId: string): Promise<RunRecord | undefined>;
  /** The queued, in-progress, waiting or cancelling run of a thread, if any. */
  findActive(projectId: string, threadId: string): Promise<Run | undefined>;
  listJson(projectId: string, threadId: string, page: PageParams): Promise<JsonText>;
  list(projectId: string, threadId: string, page: PageParams): Promise<ListPage<Run>>;

  /**
   * Writes `run` if the stored status is still `expectedStatus` (and, when `workerId` is given, the run
   * is still locked by that worker), and appends `events` after the run's last event, atomically.
   * Returns the stored events (with their seqs), or null, writing nothing, when another writer got
   * there first. A writer that knows the run's last seq passes it as `afterSeq` (saving a read); a
   * wrong one fails on the taken seq, as it should. A terminal status also ends the lease (as
   * `releaseLease` would): an ended run needs no worker, and its writer skips that statement.
   */
  compareAndSet(
    projectId: string,
    run: Run,
    expectedStatus: RunStatus,
    events: NewRunEvent[],
    workerId?: string,
    afterSeq?: number,
  ): Promise<RunEvent[] | null>;
  /**
   * Stores `writes` with `events` (their seqs assigned by the writer), atomically; with `status`, only
   * if its compare-and-set matches (as `compareAndSet`; the usage record it carries lands with it).
   * Returns false, writing nothing, when it does not; a taken seq fails the whole write. On
   * PostgreSQL it is one statement (a message's opening or closing, a run's end: no transaction),
   * followed in the same round trip by the `announcement` when given (see `Announcement`), which
   * goes out only if the write was stored.
   */
  writeWithEvents(
    projectId: string,
    writes: RunObjectWrites,
    events: readonly RunEvent[],
    status?: RunStatusWrite,
    announcement?: Announcement,
  ): Promise<boolean>;
  /** Replaces only the metadata (modify run). */
  updateMetadata(projectId: string, run: Run): Promise<boolean>;

  /**
   * Claims the oldest run that needs a worker: a queued run, or an in-progress/cancelling run whose
   * lease lapsed before `now` (a crashed worker's). Sets the lease; does not change the status.
   * Returns the run with the seq of its last stored event (0 when none), read in the same statement,
   * and, when the run never started, its thread's messages in order if the store read them in the
   * same statement too (PostgreSQL).
   */
  claimNext(
    workerId: string,
    now: number,
    leaseUntil: number,
  ): Promise<(RunRecord & { lastSeq: number; messages?: Message[] }) | undefined>;
  /** Extends the leases this worker still holds; returns the current status of each run it holds. */
  renewLeases(
    workerId: string,
    runIds: string[],
    leaseUntil: number,
  ): Promise<Array<{ id: string; status: RunStatus }>>;
  /** Gives a run back (its lease ends now). */
  releaseLease(runId: string, workerId: string): Promise<void>;
  /**
   * Gives a queued run this worker holds back to the queue, claimable again from `notBefore` (Unix
   * milliseconds): the run waits without holding a worker. False, changing nothing, when the run is
   * no longer queued or no longer this worker's.
   */
  deferClaim(runId: string, workerId: string, notBefore: number): Promise<boolean>;
  /** Runs waiting (queued or requires_action) whose `expires_at` passed. */
  listExpired(nowSeconds: number, limit: number): Promise<RunRecord[]>;
}

export interface RunStepRepository {
  /**
   * `heldBy`: stores the step only while that worker holds its run (in the same statement); false,
   * writing nothing, when it does not. True otherwise.
   */
  insert(
    projectId: string,
    step: RunStep,
    transcript?: StepTranscript,
    heldBy?: RunHolder,
  ): Promise<boolean>;
  /** Replaces the step; the transcript too when given. `heldBy`: as `insert`'s. */
  update(
    projectId: string,
    step: RunStep,
    transcript?: StepTranscript,
    heldBy?: RunHolder,
  ): Promise<boolean>;
  find(projectId: string, runId: string, stepId: string): Promise<RunStep | undefined>;
  list(projectId: string, runId: string, page: PageParams): Promise<ListPage<RunStep>>;
  /** Every step of a run in creation order, with its transcript. */
  listAll(
    projectId: string,
    runId: string,
  ): Promise<Array<{ step: RunStep; transcript: StepTranscript | null }>>;
}

export interface RunEventRepository {
  /**
   * Appends events with the given seqs; fails if a seq is taken (the writer lost ownership). With an
   * `announcement`, sends it after the commit when the store can (see `Announcement`). `heldBy` (a
   * worker id): stores them only if that worker holds every run they belong to, checked in the
   * insert itself; fails, storing none, when it does not.
   */
  append(events: RunEvent[], announcement?: Announcement, heldBy?: string): Promise<void>;
  /** Events of a run with seq > `afterSeq`, oldest first. */
  listAfter(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]>;
  /** The highest seq of a run, 0 when it has none. */
  lastSeq(runId: string): Promise<number>;
}

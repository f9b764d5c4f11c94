/** Runs on Kysely, for both dialects: the object as JSON, queue columns beside it. */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Run, RunStatus } from '../../domain/run.ts';
import type { Message } from '../../domain/message.ts';
import { ACTIVE_RUN_STATUSES, isTerminal } from '../../domain/run-status.ts';
import type { RunEvent } from '../../domain/run-event.ts';
import type { NewRunEvent, RunRecord } from '../../domain/run-record.ts';
import {
  ActiveRunConflictError,
  StaleAssistantError,
  type RunHolder,
  type RunObjectWrites,
  type RunRepository,
} from '../ports/runs-port.ts';
import type { AnnouncedWrite } from './announced-write.ts';
import type { Database, Dialect, RunsTable } from './database.ts';
import { writeInOneStatement } from './compare-and-set-statement.ts';
import { messageInsert, messageUpdate } from './messages-repository.ts';
import { threadInsert } from './threads-repository.ts';
import { threadLockKey } from './thread-lock.ts';
import { paginate, paginateJson } from './paginate.ts';
import { claimStatement } from './claim-statement.ts';
import { insertRunEvents } from './run-events-repository.ts';
import { stepInsert, stepUpdate } from './run-steps-repository.ts';
import { usageRecord } from './usage-repository.ts';
import { withTransaction } from './with-transaction.ts';
import {
  executeWritten,
  writtenSql,
  type WrittenSql,
  type WrittenStatement,
} from './written-sql.ts';

function toRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    projectId: row.project_id,
    run: JSON.parse(row.object) as Run,
    options: JSON.parse(row.options) as RunRecord['options'],
    lockedBy: row.locked_by,
    leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
  };
}

function toRun(row: { object: string }): Run {
  return JSON.parse(row.object) as Run;
}

async function lastSeqIn(transaction: Transaction<Database>, runId: string): Promise<number> {
  const last = await transaction
    .selectFrom('run_events')
    .select((builder) => builder.fn.max('seq').as('seq'))
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(last?.seq ?? 0);
}

/** Appends events after `afterSeq`, or after the run's current last event, inside `transaction`. */
async function appendAfterLast(
  transaction: Transaction<Database>,
  dialect: Dialect,
  runId: string,
  events: NewRunEvent[],
  afterSeq?: number,
): Promise<RunEvent[]> {
  if (events.length === 0) return [];
  let seq = afterSeq ?? (await lastSeqIn(transaction, runId));
  const stored = events.map((event) => ({ ...event, seq: ++seq }));
  await insertRunEvents(transaction, dialect, stored);
  return stored;
}

/**
 * A run's status change, a compare-and-set on its status (and on its holder, when a worker writes):
 * the statement of every status a run goes through, written out (see written-sql.ts). An ended run
 * gives up its lease in the same write.
 */
function statusUpdate(ended: boolean, byWorker: boolean): WrittenSql {
  return writtenSql(
    `update "runs" set "status" = ?, "expires_at" = ?, "object" = ?` +
      (ended ? `, "locked_by" = null, "lease_until" = 0` : '') +
      ` where "id" = ? and "project_id" = ? and "status" = ?` +
      (byWorker ? ` and "locked_by" = ?` : ''),
  );
}
/** By `[ended][byWorker]`. */
const STATUS_UPDATES = [
  [statusUpdate(false, false), statusUpdate(false, true)],
  [statusUpdate(true, false), statusUpdate(true, true)],
] as const;

/** A run's insert (every run's creation): written out, see written-sql.ts. */
/** The assistant's row at the version a run was built from (PostgreSQL's `xmin`: the row's version). */
const ASSISTANT_AT_VERSION = writtenSql(
  'select 1 from "assistants" where "id" = ? and "project_id" = ? and "xmin" = ?::xid',
);

const INSERT_RUN = writtenSql(
  'insert into "runs" ("id", "project_id", "thread_id", "assistant_id", "created_at", "status", ' +
    '"expires_at", "locked_by", "lease_until", "object", "options", "api_key_id") ' +
    'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);

/** Whether a worker holds a run, by dialect: PostgreSQL locks the row for the transaction. */
const IS_HELD = {
  sqlite: writtenSql('select 1 from "runs" where "id" = ? and "locked_by" = ?'),
  postgres: writtenSql('select 1 from "runs" where "id" = ? and "locked_by" = ? for share'),
};

/** The statements of `writes`, in the order the port lists them. */
function objectStatements(projectId: string, writes: RunObjectWrites): WrittenStatement[] {
  return [
    ...(writes.insertMessages ?? []).map((message) => messageInsert(projectId, message)),
    ...(writes.updateMessages ?? []).map((message) => messageUpdate(projectId, message)),
    ...(writes.insertSteps ?? []).map((step) => stepInsert(projectId, step)),
    ...(writes.updateSteps ?? []).map((step) => stepUpdate(projectId, step)),
  ];
}

/** Whether no row is written twice (one statement's CTEs cannot see each other's rows). */
function eachRowOnce(writes: RunObjectWrites): boolean {
  const messages = [...(writes.insertMessages ?? []), ...(writes.updateMessages ?? [])];
  const steps = [...(writes.insertSteps ?? []), ...(writes.updateSteps ?? [])];
  return (
    new Set(messages.map((message) => message.id)).size === messages.length &&
    new Set(steps.map((step) => step.id)).size === steps.length
  );
}

/**
 * A unique violation on the runs table: its partial unique index (one active run per thread). The
 * thread's and messages' inserts may go in the same statement; their violations are not this.
 */
function isActiveRunConflict(error: unknown): boolean {
  const { code, table, message } = error as { code?: string; table?: string; message?: string };
  if (code === '23505') return table === 'runs';
  return (
    (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    / runs\./.test(message ?? '')
  );
}

/** `announcedWrite`: how the adapter announces a write's events itself (PostgreSQL, outside transactions). */
export function runsRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  announcedWrite?: AnnouncedWrite,
): RunRepository {
  /** A run's status compare-and-set in `transaction`; true when it matched. */
  async function updateStatus(
    transaction: Kysely<Database>,
    projectId: string,
    run: Run,
    expectedStatus: RunStatus,
    workerId: string | undefined,
  ): Promise<boolean> {
    const parameters: unknown[] = [run.status, run.expires_at, JSON.stringify(run)];
    parameters.push(run.id, projectId, expectedStatus);
    if (workerId !== undefined) parameters.push(workerId);
    const statement =
      STATUS_UPDATES[isTerminal(run.status) ? 1 : 0][workerId === undefined ? 0 : 1];
    const result = await executeWritten(transaction, dialect, statement, parameters);
    return Boolean(result.numAffectedRows);
  }

  const inThread = (projectId: string, threadId: string) =>
    db
      .selectFrom('runs')
      .selectAll()
      .where('thread_id', '=', threadId)
      .where('project_id', '=', projectId);

  async function findActive(projectId: string, threadId: string) {
    const row = await db
      .selectFrom('runs')
      .select('object')
      .where('thread_id', '=', threadId)
      .where('project_id', '=', projectId)
      .where('status', 'in', ACTIVE_RUN_STATUSES)
      .executeTakeFirst();
    return row && toRun(row);
  }

  /** Whether `holder` holds its run, read in `transaction` (on PostgreSQL, locking the row). */
  async function isHeld(transaction: Kysely<Database>, holder: RunHolder): Promise<boolean> {
    const parameters = [holder.runId, holder.workerId];
    const { rows } = await executeWritten(transaction, dialect, IS_HELD[dialect], parameters);
    return rows.length > 0;
  }

  const claim = claimStatement(db, dialect);

  return {
    async insert(record, events, created = {}, announcement) {
      const { run } = record;
      const statements: WrittenStatement[] = [];
      if (created.thread) statements.push(threadInsert(record.projectId, created.thread));
      for (const message of created.messages ?? [])
        statements.push(messageInsert(record.projectId, message));
      statements.push({
        sql: INSERT_RUN,
        parameters: [
          run.id,
          record.projectId,
          run.thread_id,
          run.assistant_id,
          run.created_at,
          run.status,
          run.expires_at ?? null,
          record.lockedBy ?? null,
          record.leaseUntil ?? null,
          JSON.stringify(run),
          JSON.stringify(record.options),
          record.options.api_key_id ?? null,
        ],
      });
      // A new run has no events yet: they start at seq 1.
      let seq = 0;
      const stored = events.map((event) => ({ ...event, seq: ++seq }));
      try {
        // On PostgreSQL the thread, messages, run and events go as one statement: atomic by itself.
        // The run's row is written once its thread's lock is held: a message's insert into the
        // thread then either commits first or sees the run (see thread-lock.ts).
        if (dialect === 'postgres') {
          const announced = announcement && announcedWrite && { announcement, announcedWrite };
          const lock = { key: threadLockKey(run.thread_id), before: statements.length - 1 };
          const { assistant } = created;
          const requires = assistant && {
            sql: ASSISTANT_AT_VERSION,
            parameters: [assistant.id, record.projectId, assistant.version],
          };
          const written = await writeInOneStatement(
            db,
            { projectId: record.projectId, statements, events: stored, lock, requires },
            announced,
          );
          if (!written)
            throw new StaleAssistantError(
              `Assistant ${assistant?.id} changed since run ${run.id} was built from it.`,
            );
          return stored;
        }
        return await withTransaction(db, async (transaction) => {
          for (const { sql: statement, parameters } of statements)
            await executeWritten(transaction, dialect, statement, parameters);
          await insertRunEvents(transaction, dialect, stored);
          return stored;
        });
      } catch (error) {
        if (isActiveRunConflict(error))
          throw new ActiveRunConflictError(`Thread ${run.thread_id} already has an active run.`, {
            cause: error,
          });
        throw error;
      }
    },

    insertIsAtomic: dialect === 'postgres',

    async find(projectId, runId) {
      const row = await db
        .selectFrom('runs')
        .select('object')
        .where('id', '=', runId)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && toRun(row);
    },

    async findRecord(runId) {
      const row = await db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    findActive,

    listJson(projectId, threadId, page) {
      return paginateJson(inThread(projectId, threadId), page);
    },

    list(projectId, threadId, page) {
      return paginate(inThread(projectId, threadId), page, toRun);
    },

    async compareAndSet(projectId, run, expectedStatus, events, workerId, afterSeq) {
      // On PostgreSQL one statement does it when the seqs are known (the writer knows them).
      if (dialect === 'postgres' && (afterSeq !== undefined || events.length === 0)) {
        let seq = afterSeq ?? 0;
        const stored = events.map((event) => ({ ...event, seq: ++seq }));
        const status = { run, expectedStatus, workerId };
        const written = await writeInOneStatement(db, { projectId, status, events: stored });
        return written ? stored : null;
      }
      return withTransaction(db, async (transaction) => {
        if (!(await updateStatus(transaction, projectId, run, expectedStatus, workerId)))
          return null;
        return appendAfterLast(transaction, dialect, run.id, events, afterSeq);
      });
    },

    async writeWithEvents(projectId, writes, events, status, announcement) {
      const statements = objectStatements(projectId, writes);
      if (status?.usage) statements.push(usageRecord(status.usage));
      const { heldBy } = writes;
      if (dialect === 'postgres' && eachRowOnce(writes)) {
        const announced = announcement && announcedWrite && { announcement, announcedWrite };
        const write = { projectId, status, heldBy, statements, events };
        return writeInOneStatement(db, write, announced);
      }
      return withTransaction(db, async (transaction) => {
        // The status first: a lost race returns before anything is written (even inside a caller's
        // transaction, which this joins).
        if (status) {
          const { run, expectedStatus, workerId } = status;
          if (!(await updateStatus(transaction, projectId, run, expectedStatus, workerId)))
            return false;
        } else if (heldBy) {
          // Else the events' insert first, stored only while the worker holds the run (the check
          // holds for the rest of the transaction: SQLite's write lock, PostgreSQL's row lock).
          if (events.length === 0) {
            if (!(await isHeld(transaction, heldBy))) return false;
          } else if (!(await insertRunEvents(transaction, dialect, events, heldBy.workerId)))
            return false;
          for (const { sql: statement, parameters } of statements)
            await executeWritten(transaction, dialect, statement, parameters);
          return true;
        }
        for (const { sql: statement, parameters } of statements)
          await executeWritten(transaction, dialect, statement, parameters);
        await insertRunEvents(transaction, dialect, events);
        return true;
      });
    },

    async updateMetadata(projectId, run) {
      // Only the metadata changes; the JSON is patched in SQL so a concurrent engine write is not undone.
      const patch =
        dialect === 'postgres'
          ? sql<string>`jsonb_set(object::jsonb, '{metadata}', ${JSON.stringify(run.metadata)}::jsonb)::text`
          : sql<string>`json_set(object, '$.metadata', json(${JSON.stringify(run.metadata)}))`;
      const result = await db
        .updateTable('runs')
        .set({ object: patch })
        .where('id', '=', run.id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async claimNext(workerId, now, leaseUntil) {
      const [row] = (await claim(workerId, now, leaseUntil)).rows;
      if (!row) return undefined;
      const claimed = { ...toRecord(row), lastSeq: Number(row.last_seq ?? 0) };
      if (!row.thread_messages) return claimed;
      return { ...claimed, messages: JSON.parse(row.thread_messages) as Message[] };
    },

    async renewLeases(workerId, runIds, leaseUntil) {
      if (runIds.length === 0) return [];
      return db
        .updateTable('runs')
        .set({ lease_until: leaseUntil })
        .where('id', 'in', runIds)
        .where('locked_by', '=', workerId)
        .returning(['id', 'status'])
        .execute() as Promise<Array<{ id: string; status: Run['status'] }>>;
    },

    async releaseLease(runId, workerId) {
      // A lease of 0 has lapsed: any worker may take an in-progress run that was handed back at once.
      await db
        .updateTable('runs')
        .set({ locked_by: null, lease_until: 0 })
        .where('id', '=', runId)
        .where('locked_by', '=', workerId)
        .execute();
    },

    async deferClaim(runId, workerId, notBefore) {
      // Unlocked, with a lease in the future: claimNext passes the run over until then.
      const result = await db
        .updateTable('runs')
        .set({ locked_by: null, lease_until: notBefore })
        .where('id', '=', runId)
        .where('locked_by', '=', workerId)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async listExpired(nowSeconds, limit) {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where('status', 'in', ['queued', 'requires_action'])
        .where('expires_at', '<=', nowSeconds)
        .orderBy('expires_at')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
  };
}

/** Messages on Kysely, for both dialects. Each message is stored whole as JSON in `object`. */
import { CompiledQuery, sql, type Kysely, type Selectable } from 'kysely';
import type { Message } from '../../domain/message.ts';
import { ACTIVE_RUN_STATUSES } from '../../domain/run-status.ts';
import type { MessageRepository } from '../store.ts';
import type { Database, Dialect, MessagesTable } from './database.ts';
import type { DirectStatements } from './direct-statements.ts';
import { jsonPage, paginate, paginateJson } from './paginate.ts';
import { preparedQuery, type PreparedQuery } from './prepared-query.ts';
import type { LockedWrite } from './announced-write.ts';
import { threadLockCall, threadLockKey } from './thread-lock.ts';
import { withTransaction } from './with-transaction.ts';
import { executeWritten, writtenSql, type WrittenStatement } from './written-sql.ts';

function toRow(projectId: string, message: Message, json = JSON.stringify(message)): MessagesTable {
  return {
    id: message.id,
    project_id: projectId,
    thread_id: message.thread_id,
    created_at: message.created_at,
    run_id: message.run_id,
    object: json,
  };
}

function toMessage(row: Selectable<MessagesTable>): Message {
  return JSON.parse(row.object) as Message;
}

interface JsonRow {
  id: string;
  object: string;
}

const MESSAGE_COLUMNS = [
  'id',
  'project_id',
  'thread_id',
  'created_at',
  'run_id',
  'object',
] as const;

/** A message's update (a run's answer completes with it): written out, see written-sql.ts. */
const UPDATE_MESSAGE = writtenSql(
  'update "messages" set "run_id" = ?, "object" = ? where "id" = ? and "project_id" = ?',
);
/** A thread's messages in order (a run's first turn reads them): written out, see written-sql.ts. */
const LIST_ALL_IN_THREAD = writtenSql(
  'select * from "messages" where "thread_id" = ? and "project_id" = ? order by "created_at" asc, "id" asc',
);
/** A message's insert (every run's creation and answer make one): written out, see written-sql.ts. */
const INSERT_MESSAGE = writtenSql(
  `insert into "messages" (${MESSAGE_COLUMNS.map((column) => `"${column}"`).join(', ')}) values (?, ?, ?, ?, ?, ?)`,
);

/** A message's insert, as written out. */
export function messageInsert(projectId: string, message: Message): WrittenStatement {
  return {
    sql: INSERT_MESSAGE,
    parameters: [
      message.id,
      projectId,
      message.thread_id,
      message.created_at,
      message.run_id ?? null,
      JSON.stringify(message),
    ],
  };
}

/** A message's update (its whole object), as written out. */
export function messageUpdate(projectId: string, message: Message): WrittenStatement {
  return {
    sql: UPDATE_MESSAGE,
    parameters: [message.run_id, JSON.stringify(message), message.id, projectId],
  };
}

/** The thread lock's statement (see thread-lock.ts), written out. */
const THREAD_LOCK = writtenSql(`select ${threadLockCall('?')}`);

/**
 * `direct`: the store's direct statements (SQLite outside a transaction), which the two hottest
 * statements use when the connection is free (see direct-statements.ts). `lockedWrite`: how a
 * message's insert takes its thread's lock first in the same round trip (PostgreSQL, outside
 * transactions).
 */
export function messagesRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  direct?: DirectStatements,
  lockedWrite?: LockedWrite,
): MessageRepository {
  // The two hottest statements of the conversation API, compiled once (see prepared-query.ts).
  const insertIntoThread = preparedQuery(
    db,
    8,
    (id, projectId, threadId, createdAt, runId, object, thread, project) =>
      db
        .insertInto('messages')
        .columns([...MESSAGE_COLUMNS])
        .expression(
          db
            .selectFrom('threads')
            .select([
              sql`${id}`.as('id'),
              sql`${projectId}`.as('project_id'),
              sql`${threadId}`.as('thread_id'),
              sql`${createdAt}`.as('created_at'),
              sql`${runId}`.as('run_id'),
              sql`${object}`.as('object'),
            ])
            .where('threads.id', '=', thread as never)
            .where('threads.project_id', '=', project as never)
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('runs')
                    .select('runs.id')
                    .where('runs.thread_id', '=', thread as never)
                    .where('runs.status', 'in', ACTIVE_RUN_STATUSES),
                ),
              ),
            ),
        ),
  );
  // A page size is written into the SQL (one statement per order and size, at most 2 × 101): SQLite
  // runs `limit 21` cheaper than `limit ?` (measured 22.6 → 18.4 µs CPU for a 21-row page): it
  // re-prepares an `order by … limit ?` each time the limit is bound (sqlite-query-compiler.ts).
  const newestPages = new Map<number, PreparedQuery<JsonRow>>();
  const newestPage = (order: 'asc' | 'desc', limit: number) => {
    const key = order === 'asc' ? limit : -limit;
    let query = newestPages.get(key);
    if (!query) {
      query = preparedQuery<JsonRow>(db, 2, (threadId, projectId) =>
        db
          .selectFrom('messages')
          .select(['id', 'object'])
          .where('thread_id', '=', threadId as never)
          .where('project_id', '=', projectId as never)
          .orderBy('created_at', order)
          .orderBy('id', order)
          .limit(sql.lit(limit)),
      );
      newestPages.set(key, query);
    }
    return query;
  };

  const inThread = (projectId: string, threadId: string, runId?: string) => {
    let query = db
      .selectFrom('messages')
      .selectAll()
      .where('thread_id', '=', threadId)
      .where('project_id', '=', projectId);
    if (runId !== undefined) query = query.where('run_id', '=', runId);
    return query;
  };
  return {
    async insert(projectId, message) {
      const { sql: statement, parameters } = messageInsert(projectId, message);
      await executeWritten(db, dialect, statement, parameters);
    },
    // Not `async`: the direct statement answers at once (no promise); otherwise Kysely's executor.
    insertIntoThread(projectId, message, json) {
      const row = toRow(projectId, message, json);
      const args = [
        row.id,
        row.project_id,
        row.thread_id,
        row.created_at,
        row.run_id,
        row.object,
        message.thread_id,
        projectId,
      ];
      if (direct) {
        const statement = insertIntoThread.statement(...args);
        const changes = direct.run(statement.sql, statement.parameters);
        if (changes !== undefined) return changes > 0;
      }
      if (dialect === 'sqlite')
        return insertIntoThread(...args).then((result) => (result.numAffectedRows ?? 0n) > 0n);
      // PostgreSQL: the thread's lock first, in an earlier statement (see thread-lock.ts).
      const lock = { sql: THREAD_LOCK.postgres, parameters: [threadLockKey(message.thread_id)] };
      const statement = insertIntoThread.statement(...args);
      if (lockedWrite)
        return lockedWrite(lock, statement.sql, statement.parameters).then(
          (changes) => changes > 0,
        );
      return withTransaction(db, async (transaction) => {
        await executeWritten(transaction, dialect, THREAD_LOCK, lock.parameters);
        const insert = CompiledQuery.raw(statement.sql, statement.parameters);
        return ((await transaction.executeQuery(insert)).numAffectedRows ?? 0n) > 0n;
      });
    },
    async find(projectId, id) {
      const row = await db
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && toMessage(row);
    },
    async update(projectId, message) {
      const { sql: statement, parameters } = messageUpdate(projectId, message);
      const result = await executeWritten(db, dialect, statement, parameters);
      return (result.numAffectedRows ?? 0n) > 0n;
    },
    async delete(projectId, id) {
      const result = await db
        .deleteFrom('messages')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    list(projectId, threadId, page, filter = {}) {
      return paginate(inThread(projectId, threadId, filter.runId), page, toMessage);
    },
    // Not `async`: a first page from the direct statement answers at once (no promise).
    listJson(projectId, threadId, page, filter = {}) {
      // A first page of a list's sizes (1–100) has a statement of its own; anything else is paged.
      const firstPage = page.after === undefined && page.before === undefined;
      const listSize = Number.isInteger(page.limit) && page.limit >= 1 && page.limit <= 100;
      if (!firstPage || !listSize || filter.runId !== undefined)
        return paginateJson(inThread(projectId, threadId, filter.runId), page);
      const query = newestPage(page.order, page.limit + 1);
      if (direct) {
        const statement = query.statement(threadId, projectId);
        // Columns in select order: id, object.
        const rows = direct.rows(statement.sql, statement.parameters) as
          Array<[string, string]> | undefined;
        if (rows) return jsonPage(rows, page.limit);
      }
      return query(threadId, projectId).then(({ rows }) =>
        jsonPage(
          rows.map((row) => [row.id, row.object]),
          page.limit,
        ),
      );
    },
    async listAll(projectId, threadId) {
      const { rows } = await executeWritten<Selectable<MessagesTable>>(
        db,
        dialect,
        LIST_ALL_IN_THREAD,
        [threadId, projectId],
      );
      return rows.map(toMessage);
    },
  };
}

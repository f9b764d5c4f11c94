/** Threads on Kysely, for both dialects. Deleting a thread deletes its messages (foreign key cascade). */
import type { Kysely, Selectable } from 'kysely';
import type { ToolResources } from '../../domain/assistant.ts';
import type { Thread } from '../../domain/thread.ts';
import type { ThreadRepository } from '../store.ts';
import type { Database, Dialect, ThreadsTable } from './database.ts';
import { fromJson, fromNullableJson, toJson, toNullableJson } from './json-column.ts';
import { executeWritten, writtenSql, type WrittenStatement } from './written-sql.ts';

/** A thread by id (a run on a thread reads it): written out, see written-sql.ts. */
const FIND_THREAD = writtenSql('select * from "threads" where "id" = ? and "project_id" = ?');
/** A thread's insert (every thread-and-run makes one): written out, see written-sql.ts. */
const INSERT_THREAD = writtenSql(
  'insert into "threads" ("id", "project_id", "created_at", "tool_resources", "metadata") values (?, ?, ?, ?, ?)',
);

/** A thread's insert, as written out (a run's creation stores it in its own statement, runs-repository.ts). */
export function threadInsert(projectId: string, thread: Thread): WrittenStatement {
  return {
    sql: INSERT_THREAD,
    parameters: [
      thread.id,
      projectId,
      thread.created_at,
      toNullableJson(thread.tool_resources) ?? null,
      toJson(thread.metadata),
    ],
  };
}

function toObject(row: Selectable<ThreadsTable>): Thread {
  return {
    id: row.id,
    object: 'thread',
    created_at: Number(row.created_at),
    tool_resources: fromNullableJson<ToolResources>(row.tool_resources) ?? {},
    metadata: fromJson(row.metadata),
  };
}

export function threadsRepository(db: Kysely<Database>, dialect: Dialect): ThreadRepository {
  return {
    async insert(projectId, thread) {
      const { sql, parameters } = threadInsert(projectId, thread);
      await executeWritten(db, dialect, sql, parameters);
    },
    async find(projectId, id) {
      const { rows } = await executeWritten<Selectable<ThreadsTable>>(db, dialect, FIND_THREAD, [
        id,
        projectId,
      ]);
      return rows[0] && toObject(rows[0]);
    },
    async update(projectId, thread) {
      const result = await db
        .updateTable('threads')
        .set({
          tool_resources: toNullableJson(thread.tool_resources),
          metadata: toJson(thread.metadata),
        })
        .where('id', '=', thread.id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(projectId, id) {
      const result = await db
        .deleteFrom('threads')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

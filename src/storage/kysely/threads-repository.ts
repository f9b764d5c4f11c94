/** Threads on Kysely, for both dialects. Deleting a thread deletes its messages (foreign key cascade). */
import type { Kysely, Selectable } from 'kysely';
import type { ToolResources } from '../../domain/assistant.ts';
import type { Thread } from '../../domain/thread.ts';
import type { ThreadRepository } from '../store.ts';
import type { Database, ThreadsTable } from './database.ts';
import { fromJson, fromNullableJson, toJson, toNullableJson } from './json-column.ts';

function toObject(row: Selectable<ThreadsTable>): Thread {
  return {
    id: row.id,
    object: 'thread',
    created_at: Number(row.created_at),
    tool_resources: fromNullableJson<ToolResources>(row.tool_resources) ?? {},
    metadata: fromJson(row.metadata),
  };
}

export function threadsRepository(db: Kysely<Database>): ThreadRepository {
  return {
    async insert(projectId, thread) {
      await db
        .insertInto('threads')
        .values({
          id: thread.id,
          project_id: projectId,
          created_at: thread.created_at,
          tool_resources: toNullableJson(thread.tool_resources),
          metadata: toJson(thread.metadata),
        })
        .execute();
    },
    async find(projectId, id) {
      const row = await db
        .selectFrom('threads')
        .selectAll()
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && toObject(row);
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

/** Messages on Kysely, for both dialects. Each message is stored whole as JSON in `object`. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Message } from '../../domain/message.ts';
import type { MessageRepository } from '../store.ts';
import type { Database, MessagesTable } from './database.ts';
import { paginate, paginateJson } from './paginate.ts';

function toRow(projectId: string, message: Message): MessagesTable {
  return {
    id: message.id,
    project_id: projectId,
    thread_id: message.thread_id,
    created_at: message.created_at,
    run_id: message.run_id,
    object: JSON.stringify(message),
  };
}

function toMessage(row: Selectable<MessagesTable>): Message {
  return JSON.parse(row.object) as Message;
}

export function messagesRepository(db: Kysely<Database>): MessageRepository {
  const inThread = (projectId: string, threadId: string, runId?: string) => {
    let query = db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).where('project_id', '=', projectId);
    if (runId !== undefined) query = query.where('run_id', '=', runId);
    return query;
  };
  return {
    async insert(projectId, message) {
      await db.insertInto('messages').values(toRow(projectId, message)).execute();
    },
    async insertIntoThread(projectId, message) {
      const row = toRow(projectId, message);
      const columns = Object.keys(row) as Array<keyof MessagesTable>;
      const result = await db
        .insertInto('messages')
        .columns(columns)
        .expression(
          db
            .selectFrom('threads')
            .select(columns.map((column) => sql`${row[column]}`.as(column)))
            .where('threads.id', '=', message.thread_id)
            .where('threads.project_id', '=', projectId)
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('runs')
                    .select('runs.id')
                    .where('runs.thread_id', '=', message.thread_id)
                    .where('runs.status', 'in', ['queued', 'in_progress', 'requires_action', 'cancelling']),
                ),
              ),
            ),
        )
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
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
      const result = await db
        .updateTable('messages')
        .set({ run_id: message.run_id, object: JSON.stringify(message) })
        .where('id', '=', message.id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(projectId, id) {
      const result = await db.deleteFrom('messages').where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    list(projectId, threadId, page, filter = {}) {
      return paginate(inThread(projectId, threadId, filter.runId), page, toMessage);
    },
    listJson(projectId, threadId, page, filter = {}) {
      return paginateJson(inThread(projectId, threadId, filter.runId), page);
    },
    async listAll(projectId, threadId) {
      const rows = await inThread(projectId, threadId).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
      return rows.map(toMessage);
    },
  };
}

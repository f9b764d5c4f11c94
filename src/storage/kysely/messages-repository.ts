/** Messages on Kysely, for both dialects. */
import type { Kysely, Selectable } from 'kysely';
import type { Message } from '../../domain/message.ts';
import type { MessageRepository } from '../store.ts';
import type { Database, MessagesTable } from './database.ts';
import { fromJson, fromNullableJson, toJson, toNullableJson } from './json-column.ts';
import { paginate } from './paginate.ts';

function toRow(projectId: string, message: Message): MessagesTable {
  return {
    id: message.id,
    project_id: projectId,
    thread_id: message.thread_id,
    created_at: message.created_at,
    status: message.status,
    incomplete_details: toNullableJson(message.incomplete_details),
    completed_at: message.completed_at,
    incomplete_at: message.incomplete_at,
    role: message.role,
    content: toJson(message.content),
    assistant_id: message.assistant_id,
    run_id: message.run_id,
    attachments: toNullableJson(message.attachments),
    metadata: toJson(message.metadata),
  };
}

export function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id,
    object: 'thread.message',
    created_at: Number(row.created_at),
    thread_id: row.thread_id,
    status: row.status as Message['status'],
    incomplete_details: fromNullableJson(row.incomplete_details),
    completed_at: row.completed_at === null ? null : Number(row.completed_at),
    incomplete_at: row.incomplete_at === null ? null : Number(row.incomplete_at),
    role: row.role as Message['role'],
    content: fromJson(row.content),
    assistant_id: row.assistant_id,
    run_id: row.run_id,
    attachments: fromNullableJson(row.attachments),
    metadata: fromJson(row.metadata),
  };
}

export function messagesRepository(db: Kysely<Database>): MessageRepository {
  const inThread = (projectId: string, threadId: string) =>
    db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).where('project_id', '=', projectId);
  return {
    async insert(projectId, message) {
      await db.insertInto('messages').values(toRow(projectId, message)).execute();
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
      const { id, project_id, created_at, thread_id, ...changes } = toRow(projectId, message);
      const result = await db
        .updateTable('messages')
        .set(changes)
        .where('id', '=', id)
        .where('project_id', '=', project_id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(projectId, id) {
      const result = await db.deleteFrom('messages').where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    list(projectId, threadId, page, filter = {}) {
      let query = inThread(projectId, threadId);
      if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
      return paginate(query, page, toMessage);
    },
    async listAll(projectId, threadId) {
      const rows = await inThread(projectId, threadId).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
      return rows.map(toMessage);
    },
  };
}

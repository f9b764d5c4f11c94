/**
 * Conversations on Kysely, for both dialects. An append reserves its positions by incrementing
 * `next_position` in an UPDATE … RETURNING: on PostgreSQL that statement row-locks the conversation
 * until the transaction ends, on SQLite every transaction takes the write lock first (BEGIN
 * IMMEDIATE), so appends are serialized per conversation without a gap or a duplicate position.
 * Deleting a conversation deletes its items (foreign key cascade).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Conversation } from '../../domain/conversation.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { listPage } from '../../domain/list-page.ts';
import type { ConversationItem } from '../../domain/response-item.ts';
import { DuplicateItemIdError, type ConversationRepository } from '../ports/conversations-port.ts';
import type { ConversationsTable, Database } from './database.ts';
import { fromJson, toJson } from './json-column.ts';
import { withTransaction } from './with-transaction.ts';

function toConversation(row: Selectable<ConversationsTable>): Conversation {
  return {
    id: row.id,
    object: 'conversation',
    created_at: Number(row.created_at),
    metadata: fromJson(row.metadata),
  };
}

export function conversationsRepository(db: Kysely<Database>): ConversationRepository {
  function items(projectId: string, conversationId: string) {
    return db
      .selectFrom('conversation_items')
      .where('conversation_id', '=', conversationId)
      .where('project_id', '=', projectId);
  }

  return {
    async insert(projectId, conversation) {
      await db
        .insertInto('conversations')
        .values({
          id: conversation.id,
          project_id: projectId,
          created_at: conversation.created_at,
          metadata: toJson(conversation.metadata),
        })
        .execute();
    },

    async find(projectId, id) {
      const row = await db
        .selectFrom('conversations')
        .selectAll()
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && toConversation(row);
    },

    async update(projectId, conversation) {
      const result = await db
        .updateTable('conversations')
        .set({ metadata: toJson(conversation.metadata) })
        .where('id', '=', conversation.id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async delete(projectId, id) {
      const result = await db
        .deleteFrom('conversations')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    appendItems(projectId, conversationId, newItems, createdAt) {
      return withTransaction(db, async (transaction) => {
        const reserved = await transaction
          .updateTable('conversations')
          .set((eb) => ({ next_position: eb('next_position', '+', newItems.length) }))
          .where('id', '=', conversationId)
          .where('project_id', '=', projectId)
          .returning('next_position')
          .executeTakeFirst();
        if (!reserved) return false;
        if (newItems.length === 0) return true;
        const ids = newItems.map((item) => item.id);
        const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
        if (repeated !== undefined) throw new DuplicateItemIdError(repeated);
        const existing = await transaction
          .selectFrom('conversation_items')
          .select('id')
          .where('conversation_id', '=', conversationId)
          .where('id', 'in', ids)
          .executeTakeFirst();
        if (existing) throw new DuplicateItemIdError(existing.id);
        const first = Number(reserved.next_position) - newItems.length;
        await transaction
          .insertInto('conversation_items')
          .values(
            newItems.map((item, index) => ({
              conversation_id: conversationId,
              position: first + index,
              id: item.id,
              project_id: projectId,
              created_at: createdAt,
              type: item.type,
              object: toJson(item),
            })),
          )
          .execute();
        return true;
      });
    },

    async findItem(projectId, conversationId, itemId) {
      const row = await items(projectId, conversationId)
        .select('object')
        .where('id', '=', itemId)
        .executeTakeFirst();
      return row && fromJson<ConversationItem>(row.object);
    },

    async deleteItem(projectId, conversationId, itemId) {
      const result = await db
        .deleteFrom('conversation_items')
        .where('conversation_id', '=', conversationId)
        .where('project_id', '=', projectId)
        .where('id', '=', itemId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async listItems(projectId, conversationId, page) {
      const ascending = page.order === 'asc';
      let query = items(projectId, conversationId).select('object');
      if (page.after !== undefined) {
        const cursor = await items(projectId, conversationId)
          .select('position')
          .where('id', '=', page.after)
          .executeTakeFirst();
        if (!cursor) {
          throw new InvalidRequestError(
            `Invalid 'after': no item found with id '${page.after}' in this conversation.`,
            'after',
          );
        }
        query = query.where('position', ascending ? '>' : '<', Number(cursor.position));
      }
      const rows = await query
        .orderBy('position', ascending ? 'asc' : 'desc')
        .limit(page.limit + 1)
        .execute();
      const kept = rows.slice(0, page.limit).map((row) => fromJson<ConversationItem>(row.object));
      return listPage(kept, rows.length > page.limit);
    },

    async listAllItems(projectId, conversationId) {
      const rows = await items(projectId, conversationId)
        .select('object')
        .orderBy('position', 'asc')
        .execute();
      return rows.map((row) => fromJson<ConversationItem>(row.object));
    },

    async acquire(projectId, conversationId, responseId, lease) {
      const result = await db
        .updateTable('conversations')
        .set({ active_response_id: responseId, locked_until: lease.until })
        .where('id', '=', conversationId)
        .where('project_id', '=', projectId)
        .where((eb) =>
          eb.or([
            eb('active_response_id', 'is', null),
            eb('active_response_id', '=', responseId),
            eb('locked_until', '<', lease.now),
          ]),
        )
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return 'acquired';
      const exists = await db
        .selectFrom('conversations')
        .select('id')
        .where('id', '=', conversationId)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return exists ? 'locked' : 'missing';
    },

    async renew(projectId, conversationId, responseId, until) {
      const result = await db
        .updateTable('conversations')
        .set({ locked_until: until })
        .where('id', '=', conversationId)
        .where('project_id', '=', projectId)
        .where('active_response_id', '=', responseId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async release(projectId, conversationId, responseId) {
      await db
        .updateTable('conversations')
        .set({ active_response_id: null, locked_until: null })
        .where('id', '=', conversationId)
        .where('project_id', '=', projectId)
        .where('active_response_id', '=', responseId)
        .execute();
    },
  };
}

/**
 * Conversations and their items. An item's place is its `position`, unique per conversation and
 * handed out by `next_position` on the conversation row: an append reserves its positions by
 * incrementing that counter in the statement that locks the row, so concurrent appends keep a total
 * order without gaps or duplicates. `active_response_id` marks the response that holds the
 * conversation while it runs (one at a time, as OpenAI's `conversation_locked`), until it releases
 * it or `locked_until` (Unix ms) passes, so a node that died holding it does not lock it forever.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  await db.schema
    .createTable('conversations')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('metadata', type.json, (column) => column.notNull())
    .addColumn('next_position', type.integer, (column) => column.notNull().defaultTo(0))
    .addColumn('active_response_id', type.id)
    .addColumn('locked_until', type.integer)
    .execute();
  await db.schema
    .createIndex('conversations_by_project')
    .on('conversations')
    .columns(['project_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('conversation_items')
    .addColumn('conversation_id', type.id, (column) =>
      column.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('position', type.integer, (column) => column.notNull())
    .addColumn('id', type.id, (column) => column.notNull())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('type', type.text, (column) => column.notNull())
    .addColumn('object', type.json, (column) => column.notNull())
    .addPrimaryKeyConstraint('conversation_items_pk', ['conversation_id', 'position'])
    .execute();
  // An item id names one item of a conversation (the same output item may be in two conversations).
  await db.schema
    .createIndex('conversation_items_by_id')
    .on('conversation_items')
    .columns(['conversation_id', 'id'])
    .unique()
    .execute();
}

/**
 * Responses (the Responses API). A response is executed by a run on a private thread; the row keeps
 * the response object as last materialized, its input items, and which run (and which of its events,
 * after `after_seq`) it is. Conversations have their own migration (0007).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  await db.schema
    .createTable('responses')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('status', type.text, (column) => column.notNull())
    // A response continuing a run (tool outputs) shares it with the response before it.
    .addColumn('run_id', type.id, (column) => column.notNull())
    .addColumn('thread_id', type.id, (column) => column.notNull())
    .addColumn('after_seq', type.integer, (column) => column.notNull())
    .addColumn('previous_response_id', type.id)
    .addColumn('object', type.json, (column) => column.notNull())
    .addColumn('input', type.json, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('responses_by_run')
    .on('responses')
    .columns(['run_id', 'after_seq'])
    .execute();
  await db.schema
    .createIndex('responses_by_project')
    .on('responses')
    .columns(['project_id', 'created_at', 'id'])
    .execute();
}

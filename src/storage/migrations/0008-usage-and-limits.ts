/**
 * Operations: usage records (tokens and model requests per project, key, model and minute, written in
 * the final transaction of each run), and an index for the metrics endpoint's count of actions by
 * status (pending approvals, policy denials), which the spending index (agent first) cannot serve.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  await db.schema
    .createTable('usage_records')
    .addColumn('project_id', type.id, (column) => column.notNull())
    // '' when no project key made the run (the admin key, dev mode, a delegated or A2A run).
    .addColumn('api_key_id', type.id, (column) => column.notNull())
    .addColumn('model', type.text, (column) => column.notNull())
    // Unix seconds of the minute the runs ended in.
    .addColumn('minute', type.integer, (column) => column.notNull())
    .addColumn('input_tokens', type.integer, (column) => column.notNull())
    .addColumn('output_tokens', type.integer, (column) => column.notNull())
    .addColumn('model_requests', type.integer, (column) => column.notNull())
    .addPrimaryKeyConstraint('usage_records_pk', ['minute', 'project_id', 'api_key_id', 'model'])
    .execute();
  await db.schema
    .createIndex('service_agent_actions_by_status')
    .on('service_agent_actions')
    .column('status')
    .execute();
}

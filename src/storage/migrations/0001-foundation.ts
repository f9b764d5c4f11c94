/** Projects, API keys, assistants, threads and messages. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);

  await db.schema
    .createTable('projects')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('name', type.text, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('archived_at', type.integer)
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) =>
      column.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('name', type.text, (column) => column.notNull())
    .addColumn('key_hash', type.text, (column) => column.notNull().unique())
    .addColumn('redacted_value', type.text, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('last_used_at', type.integer)
    .execute();
  await db.schema
    .createIndex('api_keys_by_project')
    .on('api_keys')
    .columns(['project_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('assistants')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('name', type.text)
    .addColumn('description', type.text)
    .addColumn('model', type.text, (column) => column.notNull())
    .addColumn('instructions', type.text)
    .addColumn('tools', type.json, (column) => column.notNull())
    .addColumn('tool_resources', type.json)
    .addColumn('metadata', type.json, (column) => column.notNull())
    .addColumn('temperature', type.real)
    .addColumn('top_p', type.real)
    .addColumn('response_format', type.json)
    .addColumn('reasoning_effort', type.text)
    .execute();
  await db.schema
    .createIndex('assistants_by_project')
    .on('assistants')
    .columns(['project_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('threads')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('tool_resources', type.json)
    .addColumn('metadata', type.json, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('thread_id', type.id, (column) =>
      column.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('run_id', type.id)
    .addColumn('object', type.json, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('messages_by_thread')
    .on('messages')
    .columns(['thread_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_by_run')
    .on('messages')
    .columns(['run_id', 'created_at', 'id'])
    .execute();
}

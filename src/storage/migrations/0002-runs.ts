/** Runs (also the work queue), run steps and run events. */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);

  await db.schema
    .createTable('runs')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('thread_id', type.id, (column) =>
      column.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('assistant_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('status', type.text, (column) => column.notNull())
    .addColumn('expires_at', type.integer)
    .addColumn('locked_by', type.text)
    .addColumn('lease_until', type.integer)
    .addColumn('object', type.json, (column) => column.notNull())
    .addColumn('options', type.json, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('runs_by_thread')
    .on('runs')
    .columns(['thread_id', 'created_at', 'id'])
    .execute();
  // The queue: claimable runs in age order.
  await db.schema
    .createIndex('runs_by_status')
    .on('runs')
    .columns(['status', 'created_at'])
    .execute();
  // At most one active run per thread, enforced by the database on every node.
  await db.schema
    .createIndex('runs_one_active_per_thread')
    .on('runs')
    .column('thread_id')
    .unique()
    .where(sql.ref('status'), 'in', ['queued', 'in_progress', 'requires_action', 'cancelling'])
    .execute();

  await db.schema
    .createTable('run_steps')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('run_id', type.id, (column) =>
      column.notNull().references('runs.id').onDelete('cascade'),
    )
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('object', type.json, (column) => column.notNull())
    // What the engine needs to replay the step to the model (tool names, arguments, outputs); never served.
    .addColumn('transcript', type.json)
    .execute();
  await db.schema
    .createIndex('run_steps_by_run')
    .on('run_steps')
    .columns(['run_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('run_events')
    .addColumn('run_id', type.id, (column) =>
      column.notNull().references('runs.id').onDelete('cascade'),
    )
    .addColumn('seq', type.integer, (column) => column.notNull())
    .addColumn('event', type.text, (column) => column.notNull())
    .addColumn('data', type.json, (column) => column.notNull())
    .addPrimaryKeyConstraint('run_events_pk', ['run_id', 'seq'])
    .execute();
}

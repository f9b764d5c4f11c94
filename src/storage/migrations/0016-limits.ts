/**
 * Limits per project and per key, and the usage meters beyond tokens:
 * - `limit_overrides`: a project's or a key's own limits (null: the configured default);
 * - `limit_counters`: one row per project or key, holding its requests in the current minute and its
 *   tokens in the current day (fixed windows; a new window resets the count in the same upsert), so
 *   every API node counts against the same figures;
 * - `runs.api_key_id` and `files.api_key_id`, the key that made each, so concurrent runs and stored
 *   bytes can be counted per key; the partial index serves the count of a project's running runs;
 * - `usage_meters`: amounts per project, key, meter and minute (code-interpreter sessions and
 *   seconds, stored bytes added or removed).
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  await db.schema
    .createTable('limit_overrides')
    .addColumn('project_id', type.id, (column) => column.notNull())
    // '' for the project's own limits.
    .addColumn('api_key_id', type.id, (column) => column.notNull())
    .addColumn('max_requests_per_1_minute', type.integer)
    .addColumn('max_tokens_per_1_day', type.integer)
    .addColumn('max_concurrent_runs', type.integer)
    .addColumn('max_stored_bytes', type.integer)
    .addPrimaryKeyConstraint('limit_overrides_pk', ['project_id', 'api_key_id'])
    .execute();
  await db.schema
    .createTable('limit_counters')
    // `project:<id>` or `key:<id>`.
    .addColumn('scope', type.id, (column) => column.primaryKey())
    .addColumn('minute_start', type.integer, (column) => column.notNull())
    .addColumn('requests', type.integer, (column) => column.notNull())
    .addColumn('day_start', type.integer, (column) => column.notNull())
    .addColumn('tokens', type.integer, (column) => column.notNull())
    .execute();
  await db.schema.alterTable('runs').addColumn('api_key_id', type.id).execute();
  await db.schema
    .createIndex('runs_running_by_project')
    .on('runs')
    .columns(['project_id', 'api_key_id'])
    .where(sql.ref('status'), 'in', ['queued', 'in_progress', 'cancelling'])
    .execute();
  await db.schema.alterTable('files').addColumn('api_key_id', type.id).execute();
  await db.schema
    .createTable('usage_meters')
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('api_key_id', type.id, (column) => column.notNull())
    .addColumn('meter', type.text, (column) => column.notNull())
    .addColumn('minute', type.integer, (column) => column.notNull())
    .addColumn('amount', type.integer, (column) => column.notNull())
    .addPrimaryKeyConstraint('usage_meters_pk', ['meter', 'minute', 'project_id', 'api_key_id'])
    .execute();
  // Bytes already stored count from the minute of the migration.
  const minute = Math.floor(Date.now() / 60_000) * 60;
  await sql`insert into usage_meters (project_id, api_key_id, meter, minute, amount)
    select project_id, '', 'stored_bytes', ${minute}, sum(bytes) from files group by project_id`.execute(
    db,
  );
}

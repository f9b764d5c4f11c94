/**
 * `messages_by_run` (migration 0020) holds only messages with a run: a user's message insert writes
 * no entry of it, and a lookup by run still reads it: on both databases, the index's definition and
 * the plan of a lookup by run (on PostgreSQL with sequential scans off, as a small table would
 * otherwise be scanned).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withMigratedSqlite } from '../../../test/helpers/migrated-sqlite.ts';
import {
  createTestPostgresStore,
  dropSchema,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';

const BY_RUN = `select id from messages where run_id = 'run_x' order by created_at, id`;

describe('the messages_by_run index', () => {
  it('is partial on SQLite: used by a lookup by run, not written by a message without a run', async () => {
    await withMigratedSqlite((connection) => {
      const definition = connection
        .prepare(`select sql from sqlite_master where name = 'messages_by_run'`)
        .pluck()
        .get() as string;
      expect(definition).toMatch(/where "?run_id"? is not null/i);
      const plan = connection
        .prepare(`explain query plan ${BY_RUN}`)
        .all()
        .map((row) => (row as { detail: string }).detail);
      expect(plan.join('\n')).toContain('messages_by_run');
    });
  });

  it.runIf(postgresAvailable)('is partial on PostgreSQL and used by a lookup by run', async () => {
    const { store, schema } = await createTestPostgresStore();
    const client = new pg.Client({ connectionString: postgresTestUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ indexdef: string }>(
        `select indexdef from pg_indexes where schemaname = $1 and indexname = 'messages_by_run'`,
        [schema],
      );
      expect(rows[0]?.indexdef).toMatch(/WHERE \(run_id IS NOT NULL\)/);
      await client.query(`set search_path to "${schema}"`);
      await client.query('set enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(`explain ${BY_RUN}`);
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('messages_by_run');
    } finally {
      await client.end();
      await store.close();
      await dropSchema(schema);
    }
  });
});

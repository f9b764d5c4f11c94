/**
 * Postgres for tests. `CONCIERGE_TEST_POSTGRES_URL` names the server (`.ci/run` sets it, and then a
 * server that cannot be reached fails the suite). Without it the local default is tried, and when
 * that is not reachable the Postgres suites are reported as skipped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import type { Store } from '../../src/storage/store.ts';

const configured = process.env['CONCIERGE_TEST_POSTGRES_URL'];
export const postgresTestUrl = configured ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: postgresTestUrl,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    if (configured)
      throw new Error(
        `CONCIERGE_TEST_POSTGRES_URL=${configured} is not reachable: ${String(error)}`,
        { cause: error },
      );
    return false;
  }
}

/** Whether the Postgres suites run; computed once per test file. */
export const postgresAvailable = await reachable();

/**
 * `CONCIERGE_DATABASE_URL` for a deployment in `schema`, its connections named `applicationName` in
 * `pg_stat_activity` (so a test can find them, and terminate them).
 */
export function postgresDeploymentUrl(schema: string, applicationName: string): string {
  const url = new URL(postgresTestUrl);
  url.searchParams.set('schema', schema);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

/** A fresh schema name; `dropSchema` removes it after the suite. */
export function newSchemaName(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** A migrated store in a schema of its own. */
export async function createTestPostgresStore(
  schema = newSchemaName(),
): Promise<{ store: Store; schema: string }> {
  const store = await createPostgresStore({ connectionString: postgresTestUrl, schema });
  await store.migrate();
  return { store, schema };
}

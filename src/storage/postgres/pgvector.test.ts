/**
 * The pgvector path of the Postgres adapter, on PGlite with the pgvector extension (Debian 12's apt
 * has no pgvector package, so the local server runs the plain-SQL path). The whole files contract
 * runs here too, so both vector paths prove the same behaviour.
 */
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { runFilesContract } from '../files.contract.ts';
import type { Store } from '../store.ts';
import { createPostgresStore, postgresClientConfig } from './postgres-store.ts';

const databases = new Map<Store, PGlite>();

async function createPgliteStore(): Promise<Store> {
  const pglite = new PGlite({ extensions: { vector } });
  // PGlite is one connection; the pool hands it out one client at a time.
  const pool = new pg.Pool({
    ...createPgConfig(pglite),
    types: postgresClientConfig({ connectionString: '' }).types,
  } as pg.PoolConfig);
  const store = await createPostgresStore({ connectionString: 'pglite', pool });
  await store.migrate();
  databases.set(store, pglite);
  return store;
}

describe('postgres adapter with pgvector (PGlite)', () => {
  runFilesContract(
    'postgres + pgvector (PGlite)',
    { create: createPgliteStore },
    { vectorBackend: 'pgvector' },
  );

  // Runs after the contract's own afterAll closed its store (and with it the pool).
  afterAll(async () => {
    for (const pglite of databases.values()) if (!pglite.closed) await pglite.close();
  });
});

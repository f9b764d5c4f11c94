/** Picks the storage adapter from `CONCIERGE_DATABASE_URL`: `sqlite:<path>` or `postgres://…`. */
import { resolve } from 'node:path';
import type { PostgresStoreOptions } from './postgres/postgres-store.ts';
import type { Store } from './store.ts';

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

export interface OpenStoreOptions {
  /** PostgreSQL pool size per process. */
  maxConnections?: number;
  /** PostgreSQL statement timeout, in milliseconds. */
  statementTimeout?: number;
}

/** How the opened store behaves, whichever adapter it is. */
export interface StoreSettings {
  /** Bytes of decoded vectors held in memory for vector search (see `vector-cache.ts`); 0 holds none. */
  vectorCacheBytes?: number;
  /** Told of a degraded mode the store opened in (SQLite without sqlite-vec's native library). */
  warn?: (message: string) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Where `CONCIERGE_DATABASE_URL` points, read once: the store and the event bus both follow it. */
export type DatabaseTarget =
  { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; options: PostgresStoreOptions };

/**
 * Reads `CONCIERGE_DATABASE_URL`: `sqlite:<path>` or `postgres://…`. On PostgreSQL, a `schema` query
 * parameter (as Prisma spells it) puts Concierge's tables in that schema instead of `public`, so several
 * deployments can share a database.
 */
export function parseDatabaseUrl(
  databaseUrl: string,
  options: OpenStoreOptions = {},
): DatabaseTarget {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { dialect: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new DatabaseUrlError(
      `CONCIERGE_DATABASE_URL must start with "sqlite:" or "postgres://", got "${databaseUrl.slice(0, 40)}".`,
    );
  }
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUrlError('CONCIERGE_DATABASE_URL is not a valid postgres:// URL.');
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new DatabaseUrlError(
      `CONCIERGE_DATABASE_URL: schema "${schema.slice(0, 40)}" must be a lower-case SQL identifier.`,
    );
  }
  url.searchParams.delete('schema');
  const connection = { connectionString: url.toString(), ...(schema ? { schema } : {}) };
  return { dialect: 'postgres', options: { ...connection, ...options } };
}

/**
 * Opens the store a target names (the adapter is picked here, from the parsed URL). Only the chosen
 * adapter's driver loads: no `pg` on SQLite, no better-sqlite3 on PostgreSQL.
 */
export async function openStoreAt(
  target: DatabaseTarget,
  settings: StoreSettings = {},
): Promise<Store> {
  if (target.dialect === 'sqlite') {
    const { createSqliteStore } = await import('./sqlite/sqlite-store.ts');
    return createSqliteStore(target.path, settings);
  }
  const { createPostgresStore } = await import('./postgres/postgres-store.ts');
  return createPostgresStore({ ...target.options, ...settings });
}

export async function openStore(
  databaseUrl: string,
  options: OpenStoreOptions = {},
): Promise<Store> {
  return openStoreAt(parseDatabaseUrl(databaseUrl, options));
}

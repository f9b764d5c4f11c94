/** Picks the storage adapter from `CONCIERGE_DATABASE_URL`: `sqlite:<path>` or `postgres://…`. */
import { resolve } from 'node:path';
import { createPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
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

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Reads a `postgres://` URL into store options. A `schema` query parameter (as Prisma spells it) puts
 * Concierge's tables in that schema instead of `public`, so several deployments can share a database.
 * Returns undefined for a URL that is not PostgreSQL.
 */
export function postgresOptions(
  databaseUrl: string,
  options: OpenStoreOptions = {},
): PostgresStoreOptions | undefined {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) return undefined;
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
  return { connectionString: url.toString(), ...(schema ? { schema } : {}), ...options };
}

export async function openStore(
  databaseUrl: string,
  options: OpenStoreOptions = {},
): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return createSqliteStore(path === ':memory:' ? path : resolve(path));
  }
  const postgres = postgresOptions(databaseUrl, options);
  if (postgres) return createPostgresStore(postgres);
  throw new DatabaseUrlError(
    `CONCIERGE_DATABASE_URL must start with "sqlite:" or "postgres://", got "${databaseUrl.slice(0, 40)}".`,
  );
}

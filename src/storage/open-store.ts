/** Picks the storage adapter from `CONCIERGE_DATABASE_URL`: `sqlite:<path>` or `postgres://…`. */
import { resolve } from 'node:path';
import { createPostgresStore } from './postgres/postgres-store.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return createSqliteStore(path === ':memory:' ? path : resolve(path));
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createPostgresStore({ connectionString: databaseUrl });
  throw new DatabaseUrlError(
    `CONCIERGE_DATABASE_URL must start with "sqlite:" or "postgres://", got "${databaseUrl.slice(0, 40)}".`,
  );
}

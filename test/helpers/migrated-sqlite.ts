/** A SQLite database file migrated by the store, opened raw for a test to inspect its schema and plans. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';

export async function withMigratedSqlite(
  use: (connection: SqliteDatabase.Database) => void | Promise<void>,
): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'concierge-schema-'));
  try {
    const path = join(directory, 'store.db');
    const store = createSqliteStore(path);
    await store.migrate();
    await store.close();
    const connection = new SqliteDatabase(path);
    try {
      await use(connection);
    } finally {
      connection.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Builds a fresh app for a test: in-memory SQLite by default, or a Postgres schema of its own with
 * `{ database: 'postgres' }`. `listen` gives a real port for the official SDK.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOverrides } from '../../src/app.ts';
import { ConfigSchema, type ConfigInput } from '../../src/config/config-schema.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { createTestPostgresStore, dropSchema } from './postgres.ts';

export interface TestAppOptions {
  database?: 'sqlite' | 'postgres';
  config?: Partial<ConfigInput>;
  overrides?: Omit<AppOverrides, 'store' | 'logger'>;
  /** Called with the store before the app is built on it, for tests that wrap its methods. */
  prepareStore?: (store: Store) => void;
}

export interface TestApp extends App {
  /** Closes the app and drops its Postgres schema, if any. */
  destroy(): Promise<void>;
}

export async function createTestApp({
  database = 'sqlite',
  config = {},
  overrides = {},
  prepareStore,
}: TestAppOptions = {}): Promise<TestApp> {
  // Each app has a data directory of its own (blobs, sandboxes, and the dev chain's single-process lock).
  const dataDir = mkdtempSync(join(tmpdir(), 'concierge-test-'));
  // Keyword-only unless a test asks for embeddings: the built-in embedder costs ~300 MB per app.
  const parsed = ConfigSchema.parse({
    port: 0,
    logLevel: 'silent',
    dataDir,
    embeddingModel: 'none',
    ...config,
  });
  let schema: string | undefined;
  const store =
    database === 'postgres'
      ? await createTestPostgresStore().then((created) => {
          schema = created.schema;
          return created.store;
        })
      : createSqliteStore(':memory:');
  prepareStore?.(store);
  const app = await createApp(parsed, { ...overrides, store, logger: false });
  return {
    ...app,
    async destroy() {
      await app.close();
      if (schema) await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A listening app with an OpenAI SDK client pointed at it. */
export async function createListeningTestApp(options: TestAppOptions = {}) {
  const app = await createTestApp(options);
  const baseURL = await app.listen();
  return { app, baseURL };
}

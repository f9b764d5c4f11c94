import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { expect, it } from 'vitest';
import { UnavailableError } from '../../domain/errors.ts';
import { runConversationsContract } from '../conversations.contract.ts';
import { runFilesContract } from '../files.contract.ts';
import { runServiceAgentActionsContract } from '../service-agent-actions.contract.ts';
import { runRunsQueueContract } from '../runs-queue.contract.ts';
import { runStoreContract } from '../store.contract.ts';
import { runStoredBytesContract } from '../stored-bytes.contract.ts';
import type { Store } from '../store.ts';
import { createSqliteStore } from './sqlite-store.ts';

const directory = mkdtempSync(join(tmpdir(), 'concierge-sqlite-'));

runStoreContract('sqlite (file, WAL)', {
  async create() {
    const store = createSqliteStore(join(directory, 'contract.db'));
    await store.migrate();
    return store;
  },
  async destroy() {
    rmSync(directory, { recursive: true, force: true });
  },
});

runFilesContract(
  'sqlite (file, WAL)',
  {
    async create() {
      const store = createSqliteStore(
        join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-files-')), 'files.db'),
      );
      await store.migrate();
      return store;
    },
  },
  { vectorBackend: 'sqlite-vec' },
);

runStoredBytesContract('sqlite (file, WAL)', {
  async create() {
    const store = createSqliteStore(
      join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-bytes-')), 'bytes.db'),
    );
    await store.migrate();
    return store;
  },
});

// No `twin` here: better-sqlite3 is synchronous, so a second connection in the same process would
// block the event loop while it waits for the first one's write lock. Across processes, every
// transaction starts with BEGIN IMMEDIATE (sqlite-driver.ts), which serializes writers on the file.
runServiceAgentActionsContract('sqlite (file, WAL)', {
  async create() {
    const store = createSqliteStore(
      join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-actions-')), 'actions.db'),
    );
    await store.migrate();
    return store;
  },
});

runRunsQueueContract('sqlite (file, WAL)', {
  async create() {
    const store = createSqliteStore(
      join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-queue-')), 'queue.db'),
    );
    await store.migrate();
    return store;
  },
});

runConversationsContract('sqlite (file, WAL)', {
  async create() {
    const store = createSqliteStore(
      join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-conversations-')), 'conversations.db'),
    );
    await store.migrate();
    return store;
  },
});

it('answers a 503 that says to retry while another process holds the write lock past the busy timeout', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-busy-')), 'busy.db');
  const store = createSqliteStore(path, { busyTimeoutMs: 20 });
  await store.migrate();
  // Another process's writer (a second connection stands in for it).
  const other = new SqliteDatabase(path);
  try {
    other.exec('begin immediate');
    const failure = await store.transaction(async () => {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(failure).toMatchObject({
      code: 'database_unavailable',
      headers: { 'retry-after': '1' },
    });
    expect((failure as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('commit');
    await expect(store.transaction(async () => 'written')).resolves.toBe('written');
  } finally {
    other.close();
    await store.close();
  }
});

const project = (id: string) => ({
  id,
  object: 'organization.project' as const,
  name: id,
  created_at: 1,
  archived_at: null,
  status: 'active' as const,
});

it('builds nothing per transaction: each one is handed the same store, which fails once its transaction ended, and a failure rolls back only its own', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-transactions-')), 'tx.db');
  const store = createSqliteStore(path);
  await store.migrate();
  try {
    const handed: Store[] = [];
    const insert = (id: string, failure?: Error) =>
      store.transaction(async (transaction) => {
        handed.push(transaction);
        await transaction.projects.insert(project(id));
        if (failure) throw failure;
      });
    // Queued together, the transactions run one after another; the failing one leaves nothing.
    const results = await Promise.allSettled([
      insert('proj_first'),
      insert('proj_lost', new Error('rolled back')),
      insert('proj_second'),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.projects.find('proj_first')).toBeDefined();
    expect(await store.projects.find('proj_lost')).toBeUndefined();
    expect(await store.projects.find('proj_second')).toBeDefined();
    // The repositories were bound once, not per transaction.
    expect(new Set(handed).size).toBe(1);
    // A statement made through a transaction that has ended runs nowhere.
    await expect(handed[0]!.projects.find('proj_first')).rejects.toThrow(
      'A statement of a transaction that has ended.',
    );
  } finally {
    await store.close();
  }
});

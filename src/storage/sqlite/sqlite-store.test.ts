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

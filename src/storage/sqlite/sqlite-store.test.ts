import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

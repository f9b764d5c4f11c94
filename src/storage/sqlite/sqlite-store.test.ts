import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { DefaultConnectionProvider } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { UnavailableError } from '../../domain/errors.ts';
import { newMessage } from '../../domain/new-message.ts';
import { DEFAULT_PROJECT_ID } from '../../domain/project.ts';
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

/** sqlite-vec's loader where `npm ci --omit=optional` left out its platform package. */
const missingSqliteVecBinary = () => {
  throw new Error("Cannot find package 'sqlite-vec-linux-x64' imported from sqlite-vec/index.mjs");
};

// The same contract with sqlite-vec's native library missing (a lean install).
runFilesContract(
  'sqlite (file, WAL, without sqlite-vec binary)',
  {
    async create() {
      const store = createSqliteStore(
        join(mkdtempSync(join(tmpdir(), 'concierge-sqlite-files-')), 'files.db'),
        { loadVectorExtension: missingSqliteVecBinary },
      );
      await store.migrate();
      return store;
    },
  },
  { vectorBackend: 'plain-sql' },
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
    // The hot statements run beside Kysely (direct-statements.ts) and answer the same 503.
    const posted = await (async () =>
      store.messages.insertIntoThread(
        DEFAULT_PROJECT_ID,
        newMessage('thread_busy', { role: 'user', content: 'x' }),
      ))().catch((error: unknown) => error);
    expect(posted).toBeInstanceOf(UnavailableError);
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

const threadOf = (id: string) => ({
  id,
  object: 'thread' as const,
  created_at: 1,
  tool_resources: {},
  metadata: {},
});
const posted = (threadId: string) => newMessage(threadId, { role: 'user', content: 'hi' });

it('closes its file when only transactions and direct statements used it (its WAL checkpointed and gone)', async () => {
  const own = mkdtempSync(join(tmpdir(), 'concierge-sqlite-close-'));
  const path = join(own, 'closed.db');
  try {
    // Migrated by one store, then used by another through a transaction and a direct statement only.
    const migrated = createSqliteStore(path);
    await migrated.migrate();
    await migrated.close();
    const store = createSqliteStore(path);
    await store.transaction((transaction) => transaction.projects.insert(project('proj_closed')));
    await store.messages.listJson(DEFAULT_PROJECT_ID, 'thread_none', { limit: 20, order: 'desc' });
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

describe('the direct statements of the hot message pair', () => {
  it('wait for a transaction that holds the connection, as every statement does', async () => {
    const store = createSqliteStore(':memory:');
    await store.migrate();
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let began!: () => void;
      const inside = new Promise<void>((resolve) => (began = resolve));
      // A transaction creates a thread, then rolls back: nothing outside it may see the thread.
      const rolledBack = store
        .transaction(async (transaction) => {
          await transaction.threads.insert(DEFAULT_PROJECT_ID, threadOf('thread_rolledback'));
          began();
          await held;
          throw new Error('rolled back');
        })
        .catch((error: unknown) => error);
      await inside;
      const insert = store.messages.insertIntoThread(
        DEFAULT_PROJECT_ID,
        posted('thread_rolledback'),
      );
      const list = store.messages.listJson(DEFAULT_PROJECT_ID, 'thread_rolledback', {
        limit: 20,
        order: 'desc',
      });
      let settled = false;
      void Promise.all([insert, list]).then(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      release();
      expect(await rolledBack).toMatchObject({ message: 'rolled back' });
      expect(await insert).toBe(false);
      expect((await list).itemCount).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('read rows as arrays, through no Kysely connection, on a free connection', async () => {
    const store = createSqliteStore(':memory:');
    await store.migrate();
    const provide = vi.spyOn(DefaultConnectionProvider.prototype, 'provideConnection');
    const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1'));
    const all = vi.spyOn(statement, 'all');
    try {
      await store.threads.insert(DEFAULT_PROJECT_ID, threadOf('thread_direct'));
      provide.mockClear();
      expect(
        await store.messages.insertIntoThread(DEFAULT_PROJECT_ID, posted('thread_direct')),
      ).toBe(true);
      const page = await store.messages.listJson(DEFAULT_PROJECT_ID, 'thread_direct', {
        limit: 20,
        order: 'desc',
      });
      expect(page.itemCount).toBe(1);
      expect(provide).not.toHaveBeenCalled();
      expect(all).toHaveBeenCalledTimes(1);
      expect(all.mock.results[0]!.value).toEqual([[expect.any(String), expect.any(String)]]);
    } finally {
      provide.mockRestore();
      all.mockRestore();
      await store.close();
    }
  });
});

it('prepares the worker claim once: its limit written in, its sort in memory; checkpoints every 4,000 pages', async () => {
  const own = mkdtempSync(join(tmpdir(), 'concierge-sqlite-claim-'));
  const path = join(own, 'claim.db');
  const prototype = SqliteDatabase.prototype as unknown as { prepare(source: string): unknown };
  const prepare = vi.spyOn(prototype, 'prepare');
  const store = createSqliteStore(path);
  try {
    await store.migrate();
    const now = Date.now();
    expect(await store.runs.claimNext('worker-a', now, now + 1000)).toBeUndefined();
    expect(await store.runs.claimNext('worker-a', now + 1, now + 1001)).toBeUndefined();
    const claims = prepare.mock.calls
      .map(([source]) => source)
      .filter((source) => source.startsWith('update "runs" set "locked_by"'));
    expect(claims).toHaveLength(1);
    // SQLite re-prepares a cached `order by … limit ?` each time the limit is bound again (twice
    // a run in a busy process); with the limit in its text it keeps the statement.
    expect(claims[0]).toMatch(/order by "created_at" limit 1\)/);
    // The claim's `order by` sorts in a temporary b-tree: set up in memory, not in a temporary
    // file (~40 µs of CPU a claim, even for an empty queue).
    const connection = prepare.mock.contexts[0] as SqliteDatabase.Database;
    expect(connection.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    // A checkpoint per 4,000 WAL pages, not SQLite's 1,000 (the hot pages copied once per
    // checkpoint); the WAL still synced before each (synchronous NORMAL).
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    expect(connection.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
  } finally {
    prepare.mockRestore();
    await store.close();
    rmSync(own, { recursive: true, force: true });
  }
});

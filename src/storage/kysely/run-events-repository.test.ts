import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { DefaultConnectionProvider, DefaultQueryCompiler } from 'kysely';
import { afterEach, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../sqlite/sqlite-store.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A store with one run to hang events on (its thread and assistant do not matter). */
async function storeWithRun() {
  const path = join(mkdtempSync(join(tmpdir(), 'concierge-run-events-')), 'events.db');
  const store = createSqliteStore(path);
  await store.migrate();
  const other = new SqliteDatabase(path);
  other.pragma('foreign_keys = OFF');
  other
    .prepare(
      `insert into runs (id, project_id, thread_id, assistant_id, created_at, status, object, options)
       values ('run_1', 'proj_1', 'thread_1', 'asst_1', 1, 'in_progress', '{}', '{}')`,
    )
    .run();
  other.close();
  return store;
}

const delta = (seq: number) => ({
  runId: 'run_1',
  seq,
  event: 'thread.message.delta' as const,
  data: JSON.stringify({ seq }),
});

it('stores a batch of events on a free connection in one statement, through no Kysely connection; a held one it waits for', async () => {
  const store = await storeWithRun();
  const provide = vi.spyOn(DefaultConnectionProvider.prototype, 'provideConnection');
  try {
    await store.runEvents.append([delta(1), delta(2)]);
    expect(provide).not.toHaveBeenCalled();
    // While a transaction holds the connection, a batch waits for it (Kysely's lock), then lands.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const inside = new Promise<void>((resolve) => (began = resolve));
    const transaction = store.transaction(async () => {
      began();
      await held;
    });
    await inside;
    let stored = false;
    const append = store.runEvents.append([delta(3)]).then(() => (stored = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stored).toBe(false);
    release();
    await Promise.all([transaction, append]);
    expect(provide).toHaveBeenCalledTimes(1);
    expect(await store.runEvents.lastSeq('run_1')).toBe(3);
    // A seq taken fails the batch, as before.
    await expect(store.runEvents.append([delta(3)])).rejects.toThrow(/UNIQUE/);
  } finally {
    await store.close();
  }
});

it('reads a run’s events after a seq, and its last seq, with no query built', async () => {
  const store = await storeWithRun();
  try {
    const events = [1, 2, 3].map(delta);
    await store.runEvents.append(events);
    const compile = vi.spyOn(DefaultQueryCompiler.prototype, 'compileQuery');
    expect(await store.runEvents.listAfter('run_1', 1, 500)).toEqual(events.slice(1));
    expect(await store.runEvents.listAfter('run_1', 0, 2)).toEqual(events.slice(0, 2));
    expect(await store.runEvents.lastSeq('run_1')).toBe(3);
    expect(await store.runEvents.lastSeq('run_2')).toBe(0);
    expect(compile).not.toHaveBeenCalled();
  } finally {
    await store.close();
  }
});

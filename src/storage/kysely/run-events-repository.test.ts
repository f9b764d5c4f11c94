import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { DefaultQueryCompiler } from 'kysely';
import { afterEach, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../sqlite/sqlite-store.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

it('reads a run’s events after a seq, and its last seq, with no query built', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'concierge-run-events-')), 'events.db');
  const store = createSqliteStore(path);
  await store.migrate();
  // The run the events belong to, written beside the store (its thread and assistant do not matter).
  const other = new SqliteDatabase(path);
  other.pragma('foreign_keys = OFF');
  other
    .prepare(
      `insert into runs (id, project_id, thread_id, assistant_id, created_at, status, object, options)
       values ('run_1', 'proj_1', 'thread_1', 'asst_1', 1, 'in_progress', '{}', '{}')`,
    )
    .run();
  other.close();
  try {
    const events = [1, 2, 3].map((seq) => ({
      runId: 'run_1',
      seq,
      event: 'thread.message.delta' as const,
      data: JSON.stringify({ seq }),
    }));
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

/**
 * Cursor pagination at 1M rows: list latency for a thread with 1,000,000 messages against one with
 * 1,000, on SQLite (the index on (thread_id, created_at, id) makes both the same work). Pages: the
 * newest, and pages after cursors at the middle and near the end, in both orders.
 * Run: node --import tsx bench/pagination/pagination-bench.ts [rows=1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { newId } from '../../src/domain/ids.ts';
import type { PageParams } from '../../src/domain/list-page.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import { machineDescription } from '../lib/machine.ts';
import { median, percentile } from '../lib/stats.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const directory = mkdtempSync(join(tmpdir(), 'pagination-bench-'));
const file = join(directory, 'bench.db');

function fill(database: SqliteDatabase.Database, threadId: string, count: number): string[] {
  const insert = database.prepare(
    'insert into messages (id, project_id, thread_id, created_at, run_id, object) values (?, ?, ?, ?, ?, ?)',
  );
  const ids: string[] = [];
  const start = 1_700_000_000;
  database.transaction(() => {
    for (let index = 0; index < count; index++) {
      const createdAt = start + Math.floor(index / 10); // ten messages per second: equal timestamps are common
      const id = newId('message', createdAt * 1000 + (index % 10));
      ids.push(id);
      const object = JSON.stringify({
        id,
        object: 'thread.message',
        created_at: createdAt,
        thread_id: threadId,
        role: 'user',
        content: [{ type: 'text', text: { value: `message ${index}`, annotations: [] } }],
        metadata: {},
      });
      insert.run(id, 'proj_bench', threadId, createdAt, null, object);
    }
  })();
  return ids;
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  const store = createSqliteStore(file);
  await store.migrate();
  await store.projects.insert({
    id: 'proj_bench',
    object: 'organization.project',
    name: 'bench',
    created_at: 1,
    archived_at: null,
    status: 'active',
  });
  const small = {
    id: newId('thread'),
    object: 'thread' as const,
    created_at: 1,
    tool_resources: {},
    metadata: {},
  };
  const large = {
    id: newId('thread'),
    object: 'thread' as const,
    created_at: 1,
    tool_resources: {},
    metadata: {},
  };
  await store.threads.insert('proj_bench', small);
  await store.threads.insert('proj_bench', large);
  const raw = new SqliteDatabase(file);
  const started = performance.now();
  const smallIds = fill(raw, small.id, 1000);
  const largeIds = fill(raw, large.id, rows);
  raw.close();
  console.log(
    `filled ${rows.toLocaleString()} + 1,000 messages in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const cases: Array<[string, (ids: string[]) => PageParams]> = [
    ['newest 20 (desc)', () => ({ limit: 20, order: 'desc' })],
    ['oldest 20 (asc)', () => ({ limit: 20, order: 'asc' })],
    [
      'after a cursor in the middle (desc)',
      (ids) => ({ limit: 20, order: 'desc', after: ids[Math.floor(ids.length / 2)]! }),
    ],
    [
      'after a cursor near the end (asc)',
      (ids) => ({ limit: 20, order: 'asc', after: ids[ids.length - 30]! }),
    ],
    [
      'before a cursor in the middle (asc)',
      (ids) => ({ limit: 20, order: 'asc', before: ids[Math.floor(ids.length / 2)]! }),
    ],
  ];
  console.log(
    `${'page'.padEnd(40)} ${'1k rows p50'.padStart(12)} ${'1M rows p50'.padStart(12)} ${'1M p99'.padStart(9)} ${'ratio'.padStart(7)}`,
  );
  for (const [name, page] of cases) {
    const time = async (threadId: string, ids: string[]) => {
      const samples: number[] = [];
      for (let index = 0; index < 400; index++) {
        const begin = performance.now();
        const result = await store.messages.listJson('proj_bench', threadId, page(ids));
        samples.push(performance.now() - begin);
        if (result.itemCount !== 20)
          throw new Error(`${name}: expected 20 items, got ${result.itemCount}`);
      }
      return samples.slice(50);
    };
    const smallSamples = await time(small.id, smallIds);
    const largeSamples = await time(large.id, largeIds);
    console.log(
      `${name.padEnd(40)} ${`${median(smallSamples).toFixed(3)} ms`.padStart(12)} ${`${median(largeSamples).toFixed(3)} ms`.padStart(12)} ${`${percentile(largeSamples, 0.99).toFixed(2)} ms`.padStart(9)} ${(median(largeSamples) / median(smallSamples)).toFixed(2).padStart(7)}`,
    );
  }
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}

await main();

/**
 * Where writes commit once per turn (SQLite's group commit), the sink's batch of deltas goes into the
 * commit of the turn it was emitted in, even when another write of that turn began the group: the
 * deltas are published at the end of their turn, not one turn later.
 */
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunEvent } from '../domain/run-event.ts';
import type { Store } from '../storage/store.ts';
import {
  createEngineStore,
  insertTestRun,
  newThread,
  PROJECT,
  recordingBus,
  testRun,
  WORKER,
} from '../../test/helpers/engine-fixtures.ts';
import { EventSink } from './event-sink.ts';

let store: Store;
beforeAll(async () => {
  store = await createEngineStore();
});
afterAll(() => store.close());

it("stores a turn's deltas in that turn's commit when another write began it", async () => {
  const run = testRun(await newThread(store));
  await insertTestRun(store, run, WORKER);
  const bus = recordingBus();
  const sink = new EventSink(store.runEvents, bus);
  const last = await store.runEvents.lastSeq(run.id);
  const delta = (seq: number): RunEvent => ({
    runId: run.id,
    seq,
    event: 'thread.message.delta',
    data: JSON.stringify({ seq }),
  });
  const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as {
    run: (...args: unknown[]) => unknown;
  };
  const original = statement.run;
  let commits = 0;
  statement.run = function (this: { source: string }, ...args: unknown[]) {
    if (this.source === 'commit') commits += 1;
    return original.apply(this, args);
  };
  try {
    // The turn's first write (another run's status change, a message opened) begins the group…
    let began!: () => void;
    const begun = new Promise<void>((resolve) => (began = resolve));
    const other = store.transaction(async (transaction) => {
      began();
      await transaction.threads.find(PROJECT, run.thread_id);
    });
    await begun;
    // …then deltas are emitted in the same turn.
    await Promise.all([other, sink.append([delta(last + 1), delta(last + 2)])]);
    expect(commits).toBe(1);
    expect(bus.published.map((event) => event.seq)).toEqual([last + 1, last + 2]);
  } finally {
    statement.run = original;
  }
});

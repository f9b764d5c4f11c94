/**
 * A worker that froze (a GC pause, SIGSTOP, a lost network) past its lease while another worker took
 * the run over writes nothing on waking: its step and message writes are conditioned on its still
 * holding the run, in the write itself, so the new owner's steps, the thread's messages and the run's
 * events stay as the new owner left them. Worker A writes through its own pool, B through another
 * (PostgreSQL), as two nodes would; on SQLite both use the one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestPostgresStore,
  dropSchema,
  postgresTestUrl,
} from '../../test/helpers/postgres.ts';
import { testDatabases } from '../../test/helpers/databases.ts';
import {
  PROJECT,
  createEngineStore,
  insertTestProject,
  insertTestRun,
  newThread,
  recordingBus,
  testAssistantMessage,
  testRun,
  testStep,
} from '../../test/helpers/engine-fixtures.ts';
import type { RunRecord } from '../domain/run-record.ts';
import type { RunStep } from '../domain/run.ts';
import { createPostgresStore } from '../storage/postgres/postgres-store.ts';
import type { Store } from '../storage/store.ts';
import { EventSink } from './event-sink.ts';
import { RunContext } from './run-context.ts';
import { RunOwnershipLostError, RunWriter } from './run-writer.ts';

const LEASE_MS = 30_000;

/** What `workerId` works with for the run of `record`, as the executor builds it. */
async function execution(store: Store, record: RunRecord, workerId: string) {
  const context = await RunContext.load(store, record);
  const bus = recordingBus();
  const writer = new RunWriter({
    store: context.store,
    bus,
    sink: new EventSink(store.runEvents, bus, workerId),
    projectId: PROJECT,
    workerId,
    run: record.run,
    lastSeq: await store.runEvents.lastSeq(record.run.id),
  });
  return { context, writer, bus };
}

/** What the run holds: its steps, its thread's messages and its events. */
async function snapshot(store: Store, threadId: string, runId: string) {
  return {
    steps: await store.runSteps.listAll(PROJECT, runId),
    messages: await store.messages.listAll(PROJECT, threadId),
    events: await store.runEvents.listAfter(runId, 0, 1000),
  };
}

describe.each(testDatabases)('a frozen worker whose run was taken over (%s)', (database) => {
  /** Worker A's store and worker B's (on PostgreSQL two pools on one schema). */
  let stores: [Store, Store];
  let schema: string | undefined;

  beforeAll(async () => {
    if (database === 'postgres') {
      const created = await createTestPostgresStore();
      schema = created.schema;
      const second = await createPostgresStore({ connectionString: postgresTestUrl, schema });
      await insertTestProject(created.store);
      stores = [created.store, second];
    } else {
      const store = await createEngineStore('sqlite');
      stores = [store, store];
    }
  });
  afterAll(async () => {
    await stores[0].close();
    if (stores[1] !== stores[0]) await stores[1].close();
    if (schema) await dropSchema(schema);
  });

  /**
   * Worker A starts the run and opens a tool step, then freezes; its lease lapses and worker B takes
   * the run over and completes the step. Returns A's view from before the freeze, and what B left.
   */
  async function takenOver() {
    const [storeA, storeB] = stores;
    const threadId = await newThread(storeA, PROJECT);
    const queued = testRun(threadId);
    await insertTestRun(storeA, queued, 'worker-a', Date.now() + LEASE_MS);
    const recordA = (await storeA.runs.findRecord(queued.id))!;
    const a = await execution(storeA, recordA, 'worker-a');
    const started = { ...queued, status: 'in_progress' as const, started_at: 2 };
    await a.writer.transition(started, [{ event: 'thread.run.in_progress', data: started }]);
    const step = testStep(started, { type: 'tool_calls', tool_calls: [] });
    await a.writer.write(() => a.context.store.runSteps.insert(PROJECT, step));

    // A froze; its lease lapsed; B claims the run and completes the step.
    const now = Date.now() + LEASE_MS + 1;
    const claimed = await storeB.runs.claimNext('worker-b', now, now + LEASE_MS);
    expect(claimed?.run.id).toBe(started.id);
    const b = await execution(storeB, claimed!, 'worker-b');
    const completed: RunStep = { ...step, status: 'completed', completed_at: 3 };
    await b.writer.write(() => b.context.store.runSteps.update(PROJECT, completed));
    await b.writer.flush();
    const left = await snapshot(storeB, threadId, started.id);
    expect(left.steps.map((entry) => entry.step.status)).toEqual(['completed']);
    return { recordA: { ...recordA, run: started }, step, threadId, left };
  }

  /** What A wrote, waking with the writer it had before the freeze, when it attempts `write`. */
  async function aWakesAndWrites(
    write: (a: Awaited<ReturnType<typeof execution>>, step: RunStep) => Promise<unknown>,
  ) {
    const { recordA, step, threadId, left } = await takenOver();
    const a = await execution(stores[0], recordA, 'worker-a');
    const error = await write(a, step).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    const after = await snapshot(stores[1], threadId, recordA.run.id);
    return {
      lost: error instanceof RunOwnershipLostError,
      changed: JSON.stringify(after) !== JSON.stringify(left),
      published: a.bus.published.length,
    };
  }
  /** A is told it lost the run, the run's steps, messages and events are as B left them. */
  const NOTHING_WRITTEN = { lost: true, changed: false, published: 0 };

  it('does not write the step back (completed → in progress)', async () => {
    const woke = await aWakesAndWrites((a, step) =>
      a.writer.write(() =>
        a.context.store.runSteps.update(PROJECT, { ...step, status: 'in_progress' }, { calls: [] }),
      ),
    );
    expect(woke).toEqual(NOTHING_WRITTEN);
  });

  it('does not open a step', async () => {
    const woke = await aWakesAndWrites((a, step) =>
      a.writer.write(() =>
        a.context.store.runSteps.insert(PROJECT, { ...step, id: `${step.id}_again` }),
      ),
    );
    expect(woke).toEqual(NOTHING_WRITTEN);
  });

  it('does not write a step inside a transaction', async () => {
    const woke = await aWakesAndWrites((a, step) =>
      a.writer.write(() =>
        a.context.store.transaction((transaction) =>
          transaction.runSteps.update(PROJECT, { ...step, status: 'in_progress' }),
        ),
      ),
    );
    expect(woke).toEqual(NOTHING_WRITTEN);
  });

  it('does not open a message with its events', async () => {
    const woke = await aWakesAndWrites((a) => {
      const message = testAssistantMessage(a.writer.run);
      const step = testStep(a.writer.run, {
        type: 'message_creation',
        message_creation: { message_id: message.id },
      });
      return a.writer.commit({ insertMessages: [message], insertSteps: [step] }, [
        { event: 'thread.message.created', data: message },
        { event: 'thread.run.step.created', data: step },
      ]);
    });
    expect(woke).toEqual(NOTHING_WRITTEN);
  });

  it('does not store its buffered events', async () => {
    const woke = await aWakesAndWrites((a, step) => {
      a.writer.emit('thread.run.step.delta', { id: step.id, delta: {} });
      return a.writer.flush();
    });
    expect(woke).toEqual(NOTHING_WRITTEN);
  });

  it('does not close a message with its events', async () => {
    const woke = await aWakesAndWrites((a, step) =>
      a.writer.commit({ updateSteps: [{ ...step, status: 'failed' }] }, [
        { event: 'thread.run.step.failed', data: step },
      ]),
    );
    expect(woke).toEqual(NOTHING_WRITTEN);
  });

  // Truly parallel: A writes its step while B's claim races it. Whatever the order, a write A was told
  // succeeded is seen by B, which reads the steps after its claim (A's check holds the run's row until
  // its write commits); otherwise A was told it lost the run.
  it('either writes before the takeover, seen by the new owner, or not at all', async () => {
    const [storeA, storeB] = stores;
    for (let round = 0; round < 20; round++) {
      const threadId = await newThread(storeA, PROJECT);
      const run = { ...testRun(threadId), status: 'in_progress' as const, started_at: 2 };
      await insertTestRun(storeA, run, 'worker-a', Date.now() - 1);
      const recordA = (await storeA.runs.findRecord(run.id))!;
      const a = await execution(storeA, recordA, 'worker-a');
      const step = testStep(run, { type: 'tool_calls', tool_calls: [] });
      await a.writer.write(() => a.context.store.runSteps.insert(PROJECT, step));
      const written = { ...step, status: 'failed' as const, failed_at: 4 };
      const claimB = async () => {
        for (;;) {
          const now = Date.now();
          const claimed = await storeB.runs.claimNext('worker-b', now, now + LEASE_MS);
          if (!claimed) continue;
          expect(claimed.run.id).toBe(run.id);
          return RunContext.load(storeB, claimed);
        }
      };
      const [aWrote, b] = await Promise.all([
        a.writer
          .write(() => a.context.store.runSteps.update(PROJECT, written))
          .then(
            () => true,
            (error: unknown) => {
              if (error instanceof RunOwnershipLostError) return false;
              throw error;
            },
          ),
        claimB(),
      ]);
      const seenByB = b.steps.map((entry) => entry.step.status);
      expect(seenByB).toEqual([aWrote ? 'failed' : 'in_progress']);
      const stored = await storeB.runSteps.listAll(PROJECT, run.id);
      expect(stored.map((entry) => entry.step.status)).toEqual(seenByB);
    }
  });
});

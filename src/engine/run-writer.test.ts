/**
 * The run writer's order: an event is stored before it is published, buffered deltas go out before the
 * status change that follows them, a storage write waits for the events emitted before it, and a
 * writer whose run moved under it (another node's cancel, a lapsed lease) stops writing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createEngineStore,
  insertTestRun,
  newThread,
  PROJECT,
  recordingBus,
  storedEventNames,
  testRun,
  testWriter,
  WORKER,
} from '../../test/helpers/engine-fixtures.ts';
import type { Run } from '../domain/run.ts';
import type { RunEvent } from '../domain/run-event.ts';
import { InvalidTransitionError } from '../domain/run-status.ts';
import type { Store } from '../storage/store.ts';
import type { RunObjectWrites } from '../storage/ports/runs-port.ts';
import { EventSink } from './event-sink.ts';
import { newAssistantMessage } from './run-objects.ts';
import { RunOwnershipLostError, RunWriter } from './run-writer.ts';

describe('RunWriter', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore();
  });
  afterAll(() => store.close());

  async function heldRun(overrides: Partial<Run> = {}) {
    const run = testRun(await newThread(store), overrides);
    await insertTestRun(store, run, WORKER);
    return run;
  }

  it('stores deltas and a status change in emit order, and publishes each only once stored', async () => {
    const run = await heldRun();
    const log: string[] = [];
    const bus = recordingBus();
    bus.publish = (events) => log.push(...events.map((event) => `published ${event.seq}`));
    const logged: Store = {
      ...store,
      runs: {
        ...store.runs,
        compareAndSet: async (...args: Parameters<Store['runs']['compareAndSet']>) => {
          const stored = await store.runs.compareAndSet(...args);
          log.push(...(stored ?? []).map((event) => `stored ${event.seq}`));
          return stored;
        },
      },
    };
    const events = {
      ...store.runEvents,
      append: async (batch: RunEvent[]) => {
        await store.runEvents.append(batch);
        log.push(...batch.map((event) => `stored ${event.seq}`));
      },
    };
    const writer = new RunWriter({
      store: logged,
      bus,
      sink: new EventSink(events, bus),
      projectId: PROJECT,
      workerId: WORKER,
      run,
      lastSeq: 2,
    });
    writer.emit('thread.message.delta', { n: 1 });
    writer.emit('thread.message.delta', { n: 2 });
    const started: Run = { ...run, status: 'in_progress', started_at: 1 };
    await writer.transition(started, [{ event: 'thread.run.in_progress', data: started }]);

    expect(await storedEventNames(store, run.id, 2)).toEqual([
      'thread.message.delta',
      'thread.message.delta',
      'thread.run.in_progress',
    ]);
    expect(log).toEqual([
      'stored 3',
      'stored 4',
      'published 3',
      'published 4',
      'stored 5',
      'published 5',
    ]);
    expect(writer.run.status).toBe('in_progress');
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('in_progress');
  });

  it('runs a storage write after the events emitted before it are stored', async () => {
    const run = await heldRun({ status: 'queued' });
    const { writer } = await testWriter(store, run);
    writer.emit('thread.run.step.created', { id: 'step_1' });
    const seen = await writer.write(() => store.runEvents.lastSeq(run.id));
    expect(seen).toBe(3);
  });

  it('commits a write with its events, and the events still buffered, in one write', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const written: Array<{ writes: RunObjectWrites; seqs: number[] }> = [];
    const watched: Store = {
      ...store,
      runs: {
        ...store.runs,
        writeWithEvents: (projectId, writes, events, status) => {
          written.push({ writes, seqs: events.map((event) => event.seq) });
          return store.runs.writeWithEvents(projectId, writes, events, status);
        },
      },
    };
    const { writer, bus } = await testWriter(watched, run);
    writer.emit('thread.message.delta', { n: 1 });
    const message = newAssistantMessage(run);
    await writer.commit({ insertMessages: [message] }, [
      { event: 'thread.message.created', data: message },
    ]);
    // The buffered delta was not stored on its own before the write: it went in with it, first.
    expect(written).toEqual([{ writes: { insertMessages: [message] }, seqs: [3, 4] }]);
    expect(await store.messages.find(PROJECT, message.id)).toEqual(message);
    expect(await storedEventNames(store, run.id, 2)).toEqual([
      'thread.message.delta',
      'thread.message.created',
    ]);
    expect(bus.published.map((event) => event.seq)).toEqual([3, 4]);
  });

  it('rolls back the writes of a final status change when the run moved under it', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const { writer, bus } = await testWriter(store, run);
    await store.runs.compareAndSet(PROJECT, { ...run, status: 'cancelling' }, 'in_progress', []);
    const done: Run = { ...run, status: 'completed', completed_at: 2 };
    const message = newAssistantMessage(run);
    await store.messages.insert(PROJECT, message);
    const completed = { ...message, status: 'completed' as const, completed_at: 2 };
    await expect(
      writer.transition(
        done,
        [
          { event: 'thread.message.completed', data: completed },
          { event: 'thread.run.completed', data: done },
        ],
        { updateMessages: [completed] },
      ),
    ).rejects.toBeInstanceOf(RunOwnershipLostError);
    expect(await store.runEvents.lastSeq(run.id)).toBe(2);
    expect(await store.messages.find(PROJECT, message.id)).toEqual(message);
    expect(bus.published).toEqual([]);
  });

  it('refuses a status change when another node moved the run, and writes nothing after it', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const { writer, bus } = await testWriter(store, run);
    // An API node asks for a cancel: the stored status is now `cancelling`.
    await store.runs.compareAndSet(PROJECT, { ...run, status: 'cancelling' }, 'in_progress', []);
    const done: Run = { ...run, status: 'completed', completed_at: 2 };
    await expect(
      writer.transition(done, [{ event: 'thread.run.completed', data: done }]),
    ).rejects.toBeInstanceOf(RunOwnershipLostError);
    expect(writer.run.status).toBe('in_progress');
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('cancelling');
    // The writer is poisoned: later writes fail too, and nothing more is stored or published.
    writer.emit('thread.message.delta', { late: true });
    await expect(writer.flush()).rejects.toBeInstanceOf(RunOwnershipLostError);
    await expect(writer.write(async () => 'ran')).rejects.toBeInstanceOf(RunOwnershipLostError);
    expect(await storedEventNames(store, run.id)).toEqual([
      'thread.run.created',
      'thread.run.queued',
    ]);
    expect(bus.published).toEqual([]);
  });

  it('refuses a move the run status machine does not have, writing nothing', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const { writer, bus } = await testWriter(store, run);
    const expired: Run = { ...run, status: 'expired' };
    await expect(
      writer.transition(expired, [{ event: 'thread.run.expired', data: expired }]),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('in_progress');
    expect(await store.runEvents.lastSeq(run.id)).toBe(2);
    expect(bus.published).toEqual([]);
  });

  it('refuses a status change once another worker holds the lease', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const { writer } = await testWriter(store, run);
    await store.runs.releaseLease(run.id, WORKER);
    const now = Date.now();
    expect((await store.runs.claimNext('worker-other', now, now + 60_000))?.run.id).toBe(run.id);
    const failed: Run = { ...run, status: 'failed' };
    await expect(
      writer.transition(failed, [{ event: 'thread.run.failed', data: failed }]),
    ).rejects.toBeInstanceOf(RunOwnershipLostError);
    await expect(writer.refresh()).rejects.toBeInstanceOf(RunOwnershipLostError);
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('in_progress');
  });

  it('refresh reads the status another node wrote, while the lease is still its own', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const { writer } = await testWriter(store, run);
    await store.runs.compareAndSet(PROJECT, { ...run, status: 'cancelling' }, 'in_progress', []);
    expect((await writer.refresh()).status).toBe('cancelling');
    expect(writer.run.status).toBe('cancelling');
  });

  it('fails its flush when its events collide with another writer’s seqs (lost ownership)', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const { writer, bus } = await testWriter(store, run);
    // Another writer already stored seq 3.
    await store.runEvents.append([
      { runId: run.id, seq: 3, event: 'thread.message.delta', data: '{}' },
    ]);
    writer.emit('thread.message.delta', { mine: true });
    await expect(writer.flush()).rejects.toBeInstanceOf(RunOwnershipLostError);
    expect(bus.published).toEqual([]);
  });

  it('stores the deltas every run emits in one tick in one insert, serializing each delta once', async () => {
    const runs = [
      await heldRun({ status: 'in_progress' }),
      await heldRun({ status: 'in_progress' }),
    ];
    const bus = recordingBus();
    const appended: RunEvent[][] = [];
    const events = {
      ...store.runEvents,
      append: async (batch: RunEvent[]) => {
        appended.push(batch);
        await store.runEvents.append(batch);
      },
    };
    const sink = new EventSink(events, bus);
    const writers = runs.map(
      (run) =>
        new RunWriter({ store, bus, sink, projectId: PROJECT, workerId: WORKER, run, lastSeq: 2 }),
    );
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      for (const [index, writer] of writers.entries())
        for (let n = 0; n <= index + 1; n++) writer.emit('thread.message.delta', { index, n });
      await Promise.all(writers.map((writer) => writer.flush()));
      // The stamp serializes each delta; the insert and the publishing send that text as is.
      expect(stringify).toHaveBeenCalledTimes(5);
    } finally {
      stringify.mockRestore();
    }
    expect(appended.map((batch) => batch.length)).toEqual([5]);
    expect(
      bus.published.map((event) => `${event.runId === runs[0]!.id ? 0 : 1}:${event.seq}`),
    ).toEqual(['0:3', '0:4', '1:3', '1:4', '1:5']);
  });

  it('serializes an object announced twice in a row once (created, then in progress)', async () => {
    const run = await heldRun({ status: 'in_progress' });
    const { writer, bus } = await testWriter(store, run);
    const step = { id: 'step_1', status: 'in_progress' };
    const message = { id: 'msg_1', status: 'in_progress' };
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      await writer.commit({}, [
        { event: 'thread.run.step.created', data: step },
        { event: 'thread.run.step.in_progress', data: step },
        { event: 'thread.message.created', data: message },
        { event: 'thread.message.in_progress', data: message },
      ]);
      expect(stringify).toHaveBeenCalledTimes(2);
    } finally {
      stringify.mockRestore();
    }
    expect(bus.published.map((event) => [event.event, JSON.parse(event.data)])).toEqual([
      ['thread.run.step.created', step],
      ['thread.run.step.in_progress', step],
      ['thread.message.created', message],
      ['thread.message.in_progress', message],
    ]);
  });
});

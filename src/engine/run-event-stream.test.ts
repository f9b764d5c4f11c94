/**
 * The stream a run's creation follows: it sends the events the creation stored without reading them
 * back, then live ones, and still goes to the table for a gap. Reads are counted, not timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngineStore,
  insertTestRun,
  newThread,
  PROJECT,
  testRun,
} from '../../test/helpers/engine-fixtures.ts';
import type { RunEvent } from '../domain/run-event.ts';
import type { Store } from '../storage/store.ts';
import { createInProcessEventBus } from './event-bus/in-process-event-bus.ts';
import { LiveRunEvents, runEventStream } from './run-event-stream.ts';

const event = (runId: string, seq: number, name: RunEvent['event']): RunEvent => ({
  runId,
  seq,
  event: name,
  data: '{}',
});

describe('runEventStream, following a creation', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore();
  });
  afterAll(() => store.close());

  it('sends the stored events without a read, live ones in order, and fills a gap from the table', async () => {
    const run = testRun(await newThread(store));
    const stored = await insertTestRun(store, run);
    const bus = createInProcessEventBus();
    let reads = 0;
    const events = {
      ...store.runEvents,
      listAfter: (...args: Parameters<Store['runEvents']['listAfter']>) => {
        reads += 1;
        return store.runEvents.listAfter(...args);
      },
    };
    const follow = { stored, live: new LiveRunEvents(bus, run.id), handedOff: true };
    const signal = new AbortController().signal;
    const stream = runEventStream({ events, bus, runId: run.id, afterSeq: 0, signal, follow });
    const received: string[] = [];
    const reading = (async () => {
      for await (const { seq, event: name } of stream) received.push(`${seq} ${name}`);
    })();

    // Published before the stream's first read: the subscription made at creation holds it.
    const inProgress = event(run.id, 3, 'thread.run.in_progress');
    await store.runEvents.append([inProgress]);
    bus.publish([inProgress]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(0);
    // Seq 4 is stored but its notice lost: seq 5 reveals the gap, which the table fills.
    const lost = event(run.id, 4, 'thread.run.step.created');
    const completed = event(run.id, 5, 'thread.run.completed');
    await store.runEvents.append([lost, completed]);
    bus.publish([completed]);
    await reading;

    expect(received).toEqual([
      '1 thread.run.created',
      '2 thread.run.queued',
      '3 thread.run.in_progress',
      '4 thread.run.step.created',
      '5 thread.run.completed',
    ]);
    expect(reads).toBe(1);
  });

  it('ends, instead of waiting for ever, once the run is deleted with its thread', async () => {
    const threadId = await newThread(store);
    const run = testRun(threadId);
    await insertTestRun(store, run);
    const bus = createInProcessEventBus();
    const signal = new AbortController().signal;
    // Resumed after its first event: the table has its second, then nothing more for a while.
    const stream = runEventStream({
      events: store.runEvents,
      bus,
      runId: run.id,
      afterSeq: 1,
      signal,
      recheckMs: 10,
    });
    const first = await stream.next();
    expect(first.value).toMatchObject({ seq: 2, event: 'thread.run.queued' });
    expect(await store.threads.delete(PROJECT, threadId)).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });
});

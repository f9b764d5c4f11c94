/**
 * Status changes made by nodes that do not hold the run (cancel, expiry, submitted tool outputs): each
 * is one compare-and-set with its step updates and events, so of two racing nodes exactly one lands,
 * and the loser writes nothing. On SQLite, and on PostgreSQL when it is reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test/helpers/databases.ts';
import {
  createEngineStore,
  insertTestRun,
  newThread,
  PROJECT,
  recordingBus,
  storedEventNames,
  testRun,
} from '../../test/helpers/engine-fixtures.ts';
import type { Run, RunStep } from '../domain/run.ts';
import { InvalidTransitionError } from '../domain/run-status.ts';
import type { StepTranscript } from '../domain/run-record.ts';
import type { Store } from '../storage/store.ts';
import { newStep } from './run-objects.ts';
import { cancelIdleRun, expireRun, requestCancel, submitToolOutputs } from './run-transitions.ts';

describe.each(testDatabases)('run transitions (%s)', (database) => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore(database);
  });
  afterAll(() => store.close());

  /** A run waiting in requires_action on a tool step with two function calls. */
  async function waitingRun(transcript?: StepTranscript) {
    const run = testRun(await newThread(store), { status: 'in_progress', started_at: 1 });
    await insertTestRun(store, run);
    const step: RunStep = newStep(run, {
      type: 'tool_calls',
      tool_calls: ['call_a', 'call_b'].map((id) => ({
        id,
        type: 'function' as const,
        function: { name: 'lookup', arguments: '{}', output: null },
      })),
    });
    await store.runSteps.insert(
      PROJECT,
      step,
      transcript ?? {
        calls: ['call_a', 'call_b'].map((id) => ({
          id,
          name: 'lookup',
          arguments: '{}',
          output: null,
        })),
        usage: { prompt: 10, completion: 4 },
      },
    );
    const waiting: Run = { ...run, status: 'requires_action' };
    await store.runs.compareAndSet(PROJECT, waiting, 'in_progress', []);
    return { run: waiting, step };
  }

  it('submits tool outputs: the step completes with its usage, the run is queued again', async () => {
    const { run, step } = await waitingRun();
    const bus = recordingBus();
    const queued = await submitToolOutputs(store, bus, PROJECT, run, [
      { tool_call_id: 'call_a', output: 'A' },
      { tool_call_id: 'call_b', output: 'B' },
    ]);
    expect(queued?.status).toBe('queued');
    expect(bus.runnable).toBe(1);
    const [stored] = await store.runSteps.listAll(PROJECT, run.id);
    expect(stored!.step).toMatchObject({
      id: step.id,
      status: 'completed',
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
    });
    expect(stored!.transcript?.calls.map((call) => call.output)).toEqual(['A', 'B']);
    expect(bus.published.map((event) => event.event)).toEqual([
      'thread.run.step.completed',
      'thread.run.queued',
    ]);
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('queued');
  });

  it('keeps a step open while a server call still waits on its approval being run', async () => {
    const { run } = await waitingRun({
      calls: [
        {
          id: 'call_server',
          name: 'service_agent',
          arguments: '{}',
          output: null,
          approval: { callId: 'call_approve', arguments: '{}', output: null },
        },
      ],
    });
    const bus = recordingBus();
    await submitToolOutputs(store, bus, PROJECT, run, [
      { tool_call_id: 'call_approve', output: '{"approve":true}' },
    ]);
    const [stored] = await store.runSteps.listAll(PROJECT, run.id);
    expect(stored!.step.status).toBe('in_progress');
    expect(stored!.transcript?.calls[0]?.approval?.output).toBe('{"approve":true}');
    expect(bus.published.map((event) => event.event)).toEqual(['thread.run.queued']);
  });

  it('lets one of a cancel and a submit racing on a waiting run land, and the other write nothing', async () => {
    const { run } = await waitingRun();
    const bus = recordingBus();
    const [cancelled, queued] = await Promise.all([
      cancelIdleRun(store, bus, PROJECT, run),
      submitToolOutputs(store, bus, PROJECT, run, [
        { tool_call_id: 'call_a', output: 'A' },
        { tool_call_id: 'call_b', output: 'B' },
      ]),
    ]);
    expect([cancelled, queued !== null].filter(Boolean)).toHaveLength(1);
    const final = (await store.runs.find(PROJECT, run.id))!;
    const [stored] = await store.runSteps.listAll(PROJECT, run.id);
    const names = await storedEventNames(store, run.id, 2);
    expect({
      run: final.status,
      step: stored!.step.status,
      outputs: stored!.transcript?.calls.map((call) => call.output),
      events: names,
    }).toEqual(
      cancelled
        ? {
            run: 'cancelled',
            step: 'cancelled',
            outputs: [null, null],
            events: ['thread.run.step.cancelled', 'thread.run.cancelled'],
          }
        : {
            run: 'queued',
            step: 'completed',
            outputs: ['A', 'B'],
            events: ['thread.run.step.completed', 'thread.run.queued'],
          },
    );
    expect(bus.published.map((event) => event.event)).toEqual(names);
  });

  it('expires a waiting run and its step; a second expiry finds nothing to do', async () => {
    const { run, step } = await waitingRun();
    const bus = recordingBus();
    const results = await Promise.all([
      expireRun(store, bus, PROJECT, run),
      expireRun(store, bus, PROJECT, run),
    ]);
    expect(results.sort()).toEqual([false, true]);
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('expired');
    expect((await store.runSteps.find(PROJECT, run.id, step.id))?.status).toBe('expired');
    expect(await storedEventNames(store, run.id, 2)).toEqual([
      'thread.run.step.expired',
      'thread.run.expired',
    ]);
  });

  it('asks the holding worker to cancel: cancelling without an event, once', async () => {
    const run = testRun(await newThread(store), { status: 'in_progress' });
    await insertTestRun(store, run, 'worker-holding');
    const bus = recordingBus();
    const moved = await Promise.all([
      requestCancel(store, bus, PROJECT, run),
      requestCancel(store, bus, PROJECT, run),
    ]);
    expect(moved.sort()).toEqual([false, true]);
    expect(bus.cancels).toEqual([run.id]);
    expect(await store.runs.findRecord(run.id)).toMatchObject({
      lockedBy: 'worker-holding',
      run: { status: 'cancelling' },
    });
    expect(await storedEventNames(store, run.id)).toEqual([
      'thread.run.created',
      'thread.run.queued',
    ]);
  });

  it('refuses moves the status machine does not have: a cancel request for a run no worker holds, expiring a working run', async () => {
    // A queued run moved to cancelling would wait there forever: no worker claims it to finish the cancel.
    const run = testRun(await newThread(store));
    await insertTestRun(store, run);
    const bus = recordingBus();
    await expect(requestCancel(store, bus, PROJECT, run)).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('queued');
    expect(bus.cancels).toEqual([]);
    const working = testRun(await newThread(store), { status: 'in_progress' });
    await insertTestRun(store, working, 'worker-holding');
    await expect(expireRun(store, bus, PROJECT, working)).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
    expect((await store.runs.find(PROJECT, working.id))?.status).toBe('in_progress');
    expect(bus.published).toEqual([]);
  });

  it('refuses a submit for a run that is no longer waiting, leaving its step untouched', async () => {
    const { run, step } = await waitingRun();
    const bus = recordingBus();
    expect(await cancelIdleRun(store, bus, PROJECT, run)).toBe(true);
    expect(
      await submitToolOutputs(store, bus, PROJECT, run, [
        { tool_call_id: 'call_a', output: 'A' },
        { tool_call_id: 'call_b', output: 'B' },
      ]),
    ).toBeNull();
    const [stored] = await store.runSteps.listAll(PROJECT, run.id);
    expect(stored!.step).toMatchObject({ id: step.id, status: 'cancelled' });
    expect(stored!.transcript?.calls.map((call) => call.output)).toEqual([null, null]);
    expect(bus.runnable).toBe(0);
  });
});

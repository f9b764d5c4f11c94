/**
 * The run's context keeps its in-memory steps and messages equal to what is stored: every write
 * through its store view lands in memory, a transaction's only once it commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngineStore,
  insertTestRun,
  newThread,
  NO_OPTIONS,
  PROJECT,
  testMessage,
  testRun,
} from '../../test/helpers/engine-fixtures.ts';
import type { Store } from '../storage/store.ts';
import { RunContext } from './run-context.ts';
import { newAssistantMessage, newStep } from './run-objects.ts';

describe('RunContext', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore();
  });
  afterAll(() => store.close());

  async function started() {
    const threadId = await newThread(store);
    await store.messages.insert(PROJECT, testMessage(threadId, 'user', 'Hi'));
    const run = testRun(threadId, { status: 'in_progress', started_at: 1 });
    await insertTestRun(store, run);
    const context = await RunContext.load(store, {
      projectId: PROJECT,
      run,
      options: NO_OPTIONS,
      lockedBy: null,
      leaseUntil: null,
    });
    await context.readMessages();
    return { run, context };
  }

  it('holds what was written through it, as a fresh read returns it', async () => {
    const { run, context } = await started();
    const message = newAssistantMessage(run);
    const step = newStep(run, {
      type: 'message_creation',
      message_creation: { message_id: message.id },
    });
    await context.store.transaction(async (transaction) => {
      await transaction.messages.insert(PROJECT, message);
      await transaction.runSteps.insert(PROJECT, step);
    });
    await context.store.messages.update(PROJECT, { ...message, status: 'completed' });
    const tools = newStep(run, { type: 'tool_calls', tool_calls: [] });
    const transcript = { calls: [{ id: 'call_1', name: 'f', arguments: '{}', output: null }] };
    await context.store.runSteps.insert(PROJECT, tools, transcript);
    // An update without a transcript keeps the stored one.
    await context.store.runSteps.update(PROJECT, { ...tools, status: 'completed' });

    expect(context.steps).toEqual(await store.runSteps.listAll(PROJECT, run.id));
    expect(context.messages).toEqual(await store.messages.listAll(PROJECT, run.thread_id));
    expect(context.steps[1]?.transcript).toEqual(transcript);

    await context.store.messages.delete(PROJECT, message.id);
    expect(context.messages).toEqual(await store.messages.listAll(PROJECT, run.thread_id));
  });

  it('keeps nothing of a transaction that rolled back', async () => {
    const { run, context } = await started();
    const message = newAssistantMessage(run);
    await expect(
      context.store.transaction(async (transaction) => {
        await transaction.messages.insert(PROJECT, message);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(context.messages.map((entry) => entry.id)).not.toContain(message.id);
    expect(context.messages).toEqual(await store.messages.listAll(PROJECT, run.thread_id));
  });

  it("uses the messages a new run's creation handed over for its first turn only", async () => {
    const threadId = await newThread(store);
    const handed = [testMessage(threadId, 'user', 'Hi')];
    await store.messages.insert(PROJECT, handed[0]!);
    const run = testRun(threadId);
    await insertTestRun(store, run);
    let reads = 0;
    const counting: Store = {
      ...store,
      messages: {
        ...store.messages,
        listAll: (...args) => {
          reads += 1;
          return store.messages.listAll(...args);
        },
      },
    };
    const record = {
      projectId: PROJECT,
      run,
      options: NO_OPTIONS,
      lockedBy: null,
      leaseUntil: null,
    };
    const context = await RunContext.load(counting, record, handed);

    expect(await context.readMessages()).toEqual(handed);
    expect(reads).toBe(0);
    const later = testMessage(threadId, 'user', 'And then?');
    await store.messages.insert(PROJECT, later);
    expect(await context.readMessages()).toEqual([...handed, later]);
    expect(reads).toBe(1);
  });
});

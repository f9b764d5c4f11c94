/**
 * A run whose thread is deleted while its worker executes it (deleting a thread, or a response, which
 * deletes its private thread): the run and what it wrote go with the thread, and the worker's next
 * write finds them gone. The execution stops there, quietly: no error is logged (nothing failed that
 * an operator could act on), and nothing is left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test/helpers/databases.ts';
import {
  createEngineStore,
  executorDependencies,
  insertTestRun,
  newThread,
  PROJECT,
  recordingBus,
  testMessage,
  testRun,
  WORKER,
} from '../../test/helpers/engine-fixtures.ts';
import type { LanguageModel, ModelStreamPart } from '../models/language-model.ts';
import type { Store } from '../storage/store.ts';
import type { ServerTool } from '../tools/tool.ts';
import { executeRun } from './run-executor.ts';
import { requestCancel } from './run-transitions.ts';
import { CancelRequested } from './stop-reasons.ts';

const FINISH: ModelStreamPart = {
  type: 'finish',
  finishReason: 'stop',
  usage: { inputTokens: 10, outputTokens: 2 },
};

/** A server tool that is never reached: the run stops at its step's insert. */
const python: ServerTool = {
  type: 'code_interpreter',
  modelTools: async () => [{ name: 'python', parameters: { type: 'object', properties: {} } }],
  handles: (name) => name === 'python',
  begin: (id) => ({ id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }),
  execute: () => Promise.reject(new Error('the tool ran for a deleted run')),
};

/**
 * A model that streams `before`, waits while the test deletes the thread (`during`), then streams
 * `after`.
 */
function pausingModel(
  before: ModelStreamPart[],
  during: () => Promise<void>,
  after: ModelStreamPart[],
): LanguageModel {
  return {
    async *stream() {
      yield* before;
      // The parts before are stored (the message opened with its first text) before the pause.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await during();
      yield* after;
    },
  };
}

describe.each(testDatabases)('a run whose thread is deleted mid-run (%s)', (database) => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore(database);
  });
  afterAll(() => store.close());

  async function execute(
    during: (threadId: string, runId: string, controller: AbortController) => Promise<void>,
    before: ModelStreamPart[],
    after: ModelStreamPart[],
  ) {
    const threadId = await newThread(store);
    await store.messages.insert(PROJECT, testMessage(threadId, 'user', 'Hello?'));
    const run = testRun(threadId, { tools: [{ type: 'code_interpreter' }] });
    await insertTestRun(store, run, WORKER);
    const record = (await store.runs.findRecord(run.id))!;
    const controller = new AbortController();
    const logged: string[] = [];
    const model = pausingModel(before, () => during(threadId, run.id, controller), after);
    const dependencies = executorDependencies(store, model, {
      serverTools: [python],
      log: {
        warn: () => {},
        error: (object, message) =>
          void logged.push(`${message}: ${String((object as { err?: unknown }).err)}`),
      },
    });
    const ended = await executeRun(dependencies, record, controller.signal);
    return { ended, logged, runId: run.id, threadId };
  }

  const deleteThread = async (threadId: string) => {
    expect(await store.threads.delete(PROJECT, threadId)).toBe(true);
  };

  it('stops quietly when the thread goes before the answer opens', async () => {
    const { logged, runId, threadId } = await execute(
      (deleted) => deleteThread(deleted),
      [],
      [{ type: 'text-delta', delta: 'Hello' }, FINISH],
    );
    expect(logged).toEqual([]);
    expect(await store.runs.find(PROJECT, runId)).toBeUndefined();
    expect(await store.messages.listAll(PROJECT, threadId)).toEqual([]);
    expect(await store.runEvents.listAfter(runId, 0, 100)).toEqual([]);
  });

  it('stops quietly when the thread goes while the answer streams', async () => {
    const { logged, runId } = await execute(
      (threadId) => deleteThread(threadId),
      [{ type: 'text-delta', delta: 'Hel' }],
      [{ type: 'text-delta', delta: 'lo' }, FINISH],
    );
    expect(logged).toEqual([]);
    expect(await store.runs.find(PROJECT, runId)).toBeUndefined();
    expect(await store.runEvents.listAfter(runId, 0, 100)).toEqual([]);
  });

  it('stops quietly when the thread goes before a tool call opens its step', async () => {
    const { logged, runId } = await execute(
      (threadId) => deleteThread(threadId),
      [],
      [
        { type: 'tool-call-start', toolCallId: 'call_1', toolName: 'python' },
        { type: 'tool-call-end', toolCallId: 'call_1', toolName: 'python', arguments: '{}' },
        { ...FINISH, finishReason: 'tool-calls' },
      ],
    );
    expect(logged).toEqual([]);
    expect(await store.runSteps.listAll(PROJECT, runId)).toEqual([]);
  });

  it('stops quietly when the run is cancelled and its thread deleted (a deleted response)', async () => {
    const { logged, runId } = await execute(
      async (deleted, running, controller) => {
        const run = (await store.runs.find(PROJECT, running))!;
        expect(await requestCancel(store, recordingBus(), PROJECT, run)).toBe(true);
        await deleteThread(deleted);
        controller.abort(new CancelRequested());
      },
      [{ type: 'text-delta', delta: 'Hel' }],
      [{ type: 'text-delta', delta: 'lo' }, FINISH],
    );
    expect(logged).toEqual([]);
    expect(await store.runs.find(PROJECT, runId)).toBeUndefined();
  });
});

/**
 * The run loop as a whole, on fakes: a scripted model and a server tool that answers at once. Besides
 * what the run ends as, these tests hold a structural guard: the run's context is built once per turn
 * (its steps are read at most once per execution and kept in memory; the thread's messages once per
 * model turn), counted through a store proxy — a count of statements, not a timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngineStore,
  executorDependencies,
  insertTestRun,
  newThread,
  PROJECT,
  recordingBus,
  storedEventNames,
  testMessage,
  testRun,
  WORKER,
} from '../../test/helpers/engine-fixtures.ts';
import type { Run } from '../domain/run.ts';
import type { LanguageModel, ModelStreamPart } from '../models/language-model.ts';
import type { Store } from '../storage/store.ts';
import type { ServerTool } from '../tools/tool.ts';
import { executeRun, type ExecutorDependencies } from './run-executor.ts';
import { cancelIdleRun, submitToolOutputs } from './run-transitions.ts';

type Turn = ModelStreamPart[];

const answer = (text: string): Turn => [
  { type: 'text-delta', delta: text },
  { type: 'finish', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 2 } },
];
const call = (id: string, name: string): Turn => [
  { type: 'tool-call-start', toolCallId: id, toolName: name },
  { type: 'tool-call-end', toolCallId: id, toolName: name, arguments: '{"code":"1+1"}' },
  { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 8, outputTokens: 3 } },
];

/** A model that plays `turns` in order, one per call. */
function scriptedModel(turns: Turn[]): LanguageModel & { calls: number } {
  const model = {
    calls: 0,
    async *stream() {
      const turn = turns[model.calls++];
      if (!turn) throw new Error('the script has no more turns');
      yield* turn;
    },
  };
  return model;
}

/** A code_interpreter that answers every call at once. */
const python: ServerTool = {
  type: 'code_interpreter',
  modelTools: async () => [{ name: 'python', parameters: { type: 'object', properties: {} } }],
  handles: (name) => name === 'python',
  begin: (id) => ({ id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }),
  execute: async (id) => ({
    kind: 'completed',
    toolCall: {
      id,
      type: 'code_interpreter',
      code_interpreter: { input: '1+1', outputs: [{ type: 'logs', logs: '2' }] },
    },
    output: '2',
  }),
};

/** Counts the reads of steps and messages made through `store` (and its transactions). */
function countingStore(store: Store, counts: Map<string, number>): Store {
  const counted = <Repository extends object>(name: string, repository: Repository) =>
    new Proxy(repository, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const key = `${name}.${String(property)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return value.apply(target, args);
        };
      },
    });
  return {
    ...store,
    runSteps: counted('runSteps', store.runSteps),
    messages: counted('messages', store.messages),
    transaction: (work) =>
      store.transaction((transaction) => work(countingStore(transaction, counts))),
  };
}

const READS = ['list', 'listAll', 'find', 'listJson'];
function reads(counts: Map<string, number>, repository: string): number {
  return READS.reduce((sum, method) => sum + (counts.get(`${repository}.${method}`) ?? 0), 0);
}

describe('executeRun', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore();
  });
  afterAll(() => store.close());

  function dependencies(model: LanguageModel, counts: Map<string, number>): ExecutorDependencies {
    return executorDependencies(countingStore(store, counts), model, { serverTools: [python] });
  }

  async function queuedRun(overrides: Partial<Run> = {}) {
    const threadId = await newThread(store);
    await store.messages.insert(PROJECT, testMessage(threadId, 'user', 'What is 1+1?'));
    const run = testRun(threadId, { tools: [{ type: 'code_interpreter' }], ...overrides });
    await insertTestRun(store, run, WORKER);
    return (await store.runs.findRecord(run.id))!;
  }

  it('reads the steps of a new run never, and the messages once per model turn', async () => {
    const record = await queuedRun();
    const model = scriptedModel([call('call_1', 'python'), call('call_2', 'python'), answer('2')]);
    const counts = new Map<string, number>();
    await executeRun(dependencies(model, counts), record, new AbortController().signal);

    expect(model.calls).toBe(3);
    const run = (await store.runs.find(PROJECT, record.run.id))!;
    expect(run).toMatchObject({
      status: 'completed',
      usage: { prompt_tokens: 26, completion_tokens: 8, total_tokens: 34 },
    });
    const steps = await store.runSteps.listAll(PROJECT, run.id);
    expect(steps.map(({ step }) => [step.type, step.status])).toEqual([
      ['tool_calls', 'completed'],
      ['tool_calls', 'completed'],
      ['message_creation', 'completed'],
    ]);
    expect([reads(counts, 'runSteps'), reads(counts, 'messages')]).toEqual([0, 3]);
    expect(reads(counts, 'messages')).toBe(3);
  });

  it('reads the steps of a resumed run once, and ends it as the model answers', async () => {
    const record = await queuedRun({
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
        },
        { type: 'code_interpreter' },
      ],
    });
    const first = scriptedModel([call('call_1', 'python'), call('call_fn', 'lookup')]);
    await executeRun(dependencies(first, new Map()), record, new AbortController().signal);
    const waiting = (await store.runs.find(PROJECT, record.run.id))!;
    expect(waiting.status).toBe('requires_action');
    expect(
      waiting.required_action?.submit_tool_outputs.tool_calls.map((entry) => entry.id),
    ).toEqual(['call_fn']);
    const queued = await submitToolOutputs(store, recordingBus(), PROJECT, waiting, [
      { tool_call_id: 'call_fn', output: 'found' },
    ]);
    expect(queued?.status).toBe('queued');

    const counts = new Map<string, number>();
    const second = scriptedModel([call('call_2', 'python'), answer('Done.')]);
    const resumed = (await store.runs.findRecord(record.run.id))!;
    await executeRun(dependencies(second, counts), resumed, new AbortController().signal);
    expect((await store.runs.find(PROJECT, record.run.id))?.status).toBe('completed');
    expect(second.calls).toBe(2);
    expect([reads(counts, 'runSteps'), reads(counts, 'messages')]).toEqual([1, 2]);
    expect(reads(counts, 'messages')).toBe(2);
    expect((await storedEventNames(store, record.run.id)).at(-1)).toBe('thread.run.completed');
  });

  it("sends a new run's model request before its in_progress commit, and streams after it", async () => {
    const record = await queuedRun({ tools: [] });
    const order: string[] = [];
    const model: LanguageModel = {
      async *stream() {
        order.push('model request');
        yield* answer('2');
      },
    };
    const deps = dependencies(model, new Map());
    const runs = deps.store.runs;
    deps.store = {
      ...deps.store,
      runs: {
        ...runs,
        compareAndSet: async (...args: Parameters<Store['runs']['compareAndSet']>) => {
          const status = args[1].status;
          order.push(`${status} commit`);
          const stored = await runs.compareAndSet(...args);
          order.push(`${status} committed`);
          return stored;
        },
      },
    };
    await executeRun(deps, record, new AbortController().signal);

    expect(order.slice(0, 3)).toEqual([
      'model request',
      'in_progress commit',
      'in_progress committed',
    ]);
    // The status event is stored (and so sent) before the message the first part opens.
    const names = await storedEventNames(store, record.run.id);
    expect(names.slice(2, 4)).toEqual(['thread.run.in_progress', 'thread.run.step.created']);
    expect(names.at(-1)).toBe('thread.run.completed');
  });

  it('aborts the model request sent early when the run was cancelled before it started', async () => {
    const record = await queuedRun({ tools: [] });
    expect(await cancelIdleRun(store, recordingBus(), PROJECT, record.run)).toBe(true);
    let aborted = false;
    const model: LanguageModel = {
      async *stream(_request, signal) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        aborted = true;
        yield* answer('never stored');
      },
    };
    // The worker holds the record it claimed, still `queued`: its in_progress commit finds otherwise.
    await executeRun(dependencies(model, new Map()), record, new AbortController().signal);

    expect(aborted).toBe(true);
    expect((await store.runs.find(PROJECT, record.run.id))?.status).toBe('cancelled');
    expect(await storedEventNames(store, record.run.id)).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.cancelled',
    ]);
    expect(await store.runSteps.listAll(PROJECT, record.run.id)).toEqual([]);
  });

  it('fails a run whose model call breaks, closing the step it left open', async () => {
    const record = await queuedRun();
    const broken: LanguageModel = {
      // eslint-disable-next-line require-yield
      async *stream() {
        throw new Error('socket hang up');
      },
    };
    await executeRun(dependencies(broken, new Map()), record, new AbortController().signal);
    expect(await store.runs.find(PROJECT, record.run.id)).toMatchObject({
      status: 'failed',
      last_error: {
        code: 'server_error',
        message: 'The server had an error while running this run.',
      },
    });
  });
});

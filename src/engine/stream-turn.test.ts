/**
 * One streamed model turn: text becomes a message in a message_creation step, tool calls a tool_calls
 * step, with OpenAI's event order, dense call indexes and unique call ids; what is stored adds up to
 * what was streamed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngineStore,
  insertTestRun,
  newThread,
  PROJECT,
  storedEventNames,
  testRun,
  testWriter,
  WORKER,
  wordCounter,
} from '../../test/helpers/engine-fixtures.ts';
import type { LanguageModel, ModelStreamPart } from '../models/language-model.ts';
import type { Store } from '../storage/store.ts';
import type { ServerTool } from '../tools/tool.ts';
import { collectRunSources } from './message-annotations.ts';
import { streamTurn, TurnState } from './stream-turn.ts';

/** A model that streams `parts` (a finish part is added when missing). */
function fakeModel(parts: ModelStreamPart[]): LanguageModel {
  return {
    async *stream() {
      yield* parts;
      if (!parts.some((part) => part.type === 'finish'))
        yield {
          type: 'finish',
          finishReason: 'stop',
          usage: { inputTokens: 7, outputTokens: 3 },
        };
    },
  };
}

const serverTool = {
  type: 'file_search',
  begin: (id: string) => ({
    id,
    type: 'file_search' as const,
    file_search: { ranking_options: undefined, results: [] },
  }),
} as unknown as ServerTool;

describe('streamTurn', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore();
  });
  afterAll(() => store.close());

  async function turn(
    parts: ModelStreamPart[],
    usedCallIds = new Set<string>(),
    keepReasoning = false,
  ) {
    const run = testRun(await newThread(store), { status: 'in_progress', started_at: 1 });
    await insertTestRun(store, run, WORKER);
    const { writer } = await testWriter(store, run);
    const state = new TurnState();
    const result = await streamTurn({
      store,
      writer,
      projectId: PROJECT,
      model: fakeModel(parts),
      request: {
        model: 'm',
        system: undefined,
        messages: [],
        tools: [],
        toolChoice: 'auto',
        parallelToolCalls: true,
      },
      estimatedPromptTokens: 11,
      toolFor: (name) => (name === 'file_search' ? serverTool : undefined),
      counter: wordCounter,
      signal: new AbortController().signal,
      state,
      sources: collectRunSources([]),
      usedCallIds,
      keepReasoning,
    });
    // An answer's message closes with the run's end (the executor's); here, on its own.
    if (result.closing) {
      await writer.commit(result.closing.writes, result.closing.events);
      state.messageClosed();
    }
    await writer.flush();
    return { run, state, result, events: await store.runEvents.listAfter(run.id, 2, 1000) };
  }

  it('stores a response run’s reasoning before its message, closed when the answer starts', async () => {
    const thinking: ModelStreamPart[] = [
      { type: 'reasoning-delta', delta: 'Think ' },
      { type: 'reasoning-delta', delta: 'first.' },
      { type: 'text-delta', delta: 'Answer.' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 7, outputTokens: 9, reasoningTokens: 6 },
      },
    ];
    const { events, result } = await turn(thinking, new Set(), true);
    expect(events.map((event) => event.event)).toEqual([
      'thread.reasoning.created',
      'thread.reasoning.delta',
      'thread.reasoning.delta',
      'thread.reasoning.completed',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.reasoning.tokens',
      'thread.message.completed',
      'thread.run.step.completed',
    ]);
    const completed = JSON.parse(events[3]!.data);
    expect(completed).toEqual({
      id: JSON.parse(events[0]!.data).id,
      text: 'Think first.',
      status: 'completed',
    });
    expect(completed.id).toMatch(/^rs_/);
    expect(JSON.parse(events[9]!.data)).toEqual({ reasoning_tokens: 6 });
    expect(result.usage).toEqual({ prompt: 7, completion: 9 });

    // An Assistants run reads the same stream and keeps none of its reasoning.
    const plain = await turn(thinking);
    expect(plain.events.map((event) => event.event)).not.toContain('thread.reasoning.created');
    expect(plain.events.filter((event) => event.event.startsWith('thread.reasoning'))).toEqual([]);
  });

  it('streams text into a completed message and step, with the step’s reported usage', async () => {
    const { run, result, state, events } = await turn([
      { type: 'text-delta', delta: 'Hello ' },
      { type: 'text-delta', delta: 'there.' },
    ]);
    expect(result.toolStep).toBeUndefined();
    expect(result.finishReason).toBe('stop');
    expect(events.map((event) => event.event)).toEqual([
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
    ]);
    const [message] = await store.messages
      .list(PROJECT, run.thread_id, { limit: 5, order: 'asc' })
      .then((page) => page.data);
    expect(message).toMatchObject({ status: 'completed', run_id: run.id, role: 'assistant' });
    expect(message!.content).toEqual([
      { type: 'text', text: { value: 'Hello there.', annotations: [] } },
    ]);
    const [step] = await store.runSteps.listAll(PROJECT, run.id);
    expect(step!.step).toMatchObject({
      status: 'completed',
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    expect(state.message).toBeUndefined();
  });

  it('marks a message cut at the length limit incomplete, and estimates usage nobody reported', async () => {
    const { run, result } = await turn([
      { type: 'text-delta', delta: 'one two three' },
      {
        type: 'finish',
        finishReason: 'length',
        usage: { inputTokens: undefined, outputTokens: undefined },
      },
    ]);
    expect(result.usage).toEqual({ prompt: 11, completion: 3 });
    const [message] = await store.messages.listAll(PROJECT, run.thread_id);
    expect(message).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_tokens' },
      completed_at: null,
    });
  });

  it('closes the message before a tool call, and streams calls with dense indexes and fresh ids for used ones', async () => {
    const { run, result, events } = await turn(
      [
        { type: 'text-delta', delta: 'Let me look.' },
        { type: 'tool-call-start', toolCallId: 'call_used', toolName: 'get_weather' },
        { type: 'tool-call-delta', toolCallId: 'call_used', argumentsDelta: '{"city":' },
        { type: 'tool-call-delta', toolCallId: 'call_used', argumentsDelta: '"Oslo"}' },
        {
          type: 'tool-call-end',
          toolCallId: 'call_used',
          toolName: 'get_weather',
          arguments: '{"city":"Oslo"}',
        },
        { type: 'tool-call-start', toolCallId: 'call_new', toolName: 'get_time' },
        { type: 'tool-call-end', toolCallId: 'call_new', toolName: 'get_time', arguments: '{}' },
        { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 9, outputTokens: 5 } },
      ],
      new Set(['call_used']),
    );
    const names = events.map((event) => event.event);
    expect(names.indexOf('thread.message.completed')).toBeLessThan(
      names.lastIndexOf('thread.run.step.created'),
    );
    const ids = result.toolCalls.map((call) => call.id);
    expect(ids[0]).not.toBe('call_used');
    expect(ids[1]).toBe('call_new');
    expect(result.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['get_weather', '{"city":"Oslo"}'],
      ['get_time', '{}'],
    ]);
    const deltas = events
      .filter((event) => event.event === 'thread.run.step.delta')
      .map((event) => JSON.parse(event.data).delta.step_details.tool_calls[0]);
    expect(deltas.map((delta) => delta.index)).toEqual([0, 0, 0, 1]);
    expect(deltas[0]).toMatchObject({ id: ids[0], type: 'function' });
    expect(
      deltas
        .slice(1, 3)
        .map((delta) => delta.function.arguments)
        .join(''),
    ).toBe('{"city":"Oslo"}');
    // The tool step is left in progress for the tool phase, its usage kept in the transcript.
    const steps = await store.runSteps.listAll(PROJECT, run.id);
    expect(steps.map(({ step }) => [step.type, step.status])).toEqual([
      ['message_creation', 'completed'],
      ['tool_calls', 'in_progress'],
    ]);
    expect(steps[1]!.step.usage).toBeNull();
    expect(steps[1]!.transcript).toEqual({
      calls: [
        { id: ids[0], name: 'get_weather', arguments: '{"city":"Oslo"}', output: null },
        { id: 'call_new', name: 'get_time', arguments: '{}', output: null },
      ],
      usage: { prompt: 9, completion: 5 },
    });
  });

  it('streams no argument deltas for a server tool’s call', async () => {
    const { events, result } = await turn([
      { type: 'tool-call-start', toolCallId: 'call_fs', toolName: 'file_search' },
      { type: 'tool-call-delta', toolCallId: 'call_fs', argumentsDelta: '{"query":"x"}' },
      {
        type: 'tool-call-end',
        toolCallId: 'call_fs',
        toolName: 'file_search',
        arguments: '{"query":"x"}',
      },
    ]);
    expect(result.toolCalls[0]?.serverTool).toBe(serverTool);
    const deltas = events.filter((event) => event.event === 'thread.run.step.delta');
    expect(deltas).toHaveLength(1);
    expect(JSON.parse(deltas[0]!.data).delta.step_details.tool_calls[0]).toMatchObject({
      index: 0,
      id: 'call_fs',
      type: 'file_search',
    });
  });

  it('stores an empty answer as an empty completed message', async () => {
    const { run } = await turn([]);
    expect(await storedEventNames(store, run.id, 2)).toContain('thread.message.completed');
    const [message] = await store.messages.listAll(PROJECT, run.thread_id);
    expect(message!.content).toEqual([{ type: 'text', text: { value: '', annotations: [] } }]);
  });
});

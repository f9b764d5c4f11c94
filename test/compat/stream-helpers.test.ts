/**
 * The streaming helpers of openai 6.49.0 and 4.104.0 as apps use them: event callbacks, text and
 * tool-call deltas, `finalMessages()` built from the deltas, and function calling answered with
 * `submitToolOutputsStream`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, weatherTool, type RunTestBed } from '../helpers/run-test-bed.ts';
import { record, SDK_NAMES, sdkUnderTest, withoutDeltaIndexes } from '../helpers/sdk-clients.ts';

let bed: RunTestBed;
let assistantId: string;

beforeAll(async () => {
  bed = await createRunTestBed();
  assistantId = (await bed.client.beta.assistants.create({ model: 'gpt-4o', tools: [weatherTool] }))
    .id;
});
afterAll(() => bed.close());

async function storedAnswer(threadId: string, runId: string) {
  return (await bed.client.beta.threads.messages.list(threadId, { run_id: runId })).data[0]!;
}

describe.each(SDK_NAMES)('stream helpers of %s', (name) => {
  const sdk = () => sdkUnderTest(name, bed.baseURL);

  it('delivers events in order, text deltas that add up, and final messages equal to the stored one', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    bed.upstream.enqueue({ chunks: ['Hel', 'lo, ', 'wörld 👋', '!'] });
    const seen = await record(sdk().stream(thread.id, assistantId));

    expect(seen.run.status).toBe('completed');
    expect(seen.events).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
    expect(seen.textDeltas.map((delta) => delta.value)).toEqual(['Hel', 'lo, ', 'wörld 👋', '!']);

    const stored = await storedAnswer(thread.id, seen.run.id);
    expect(stored.content).toEqual([
      { type: 'text', text: { value: 'Hello, wörld 👋!', annotations: [] } },
    ]);
    expect(seen.messagesDone).toEqual([stored]);
    expect(seen.finalMessages).toHaveLength(1);
    expect(seen.finalMessages[0].id).toBe(stored.id);
    expect(withoutDeltaIndexes(seen.finalMessages[0].content)).toEqual(stored.content);
  });

  it('streams a function call, then continues the run with submitToolOutputsStream', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_weather' }] },
      { chunks: ['Sunny in ', 'Paris.'] },
    );
    const paused = await record(sdk().stream(thread.id, assistantId));

    expect(paused.run.status).toBe('requires_action');
    expect(paused.events.at(-1)).toBe('thread.run.requires_action');
    // The arguments arrive in pieces through toolCallDelta and add up to the call the run asks for.
    const streamedArguments = paused.toolCallDeltas
      .map((delta) => delta.function?.arguments ?? '')
      .join('');
    expect(streamedArguments).toBe('{"city":"Paris"}');
    expect(paused.toolCallsDone).toEqual([
      {
        index: 0,
        id: 'call_weather',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: null },
      },
    ]);
    expect(paused.run.required_action.submit_tool_outputs.tool_calls).toEqual([
      {
        id: 'call_weather',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ]);

    const resumed = await record(
      sdk().submitToolOutputsStream(thread.id, paused.run.id, [
        { tool_call_id: 'call_weather', output: '{"sky":"clear"}' },
      ]),
    );
    expect(resumed.run.status).toBe('completed');
    expect(resumed.run.id).toBe(paused.run.id);
    expect(resumed.textDeltas.map((delta) => delta.value).join('')).toBe('Sunny in Paris.');
    const stored = await storedAnswer(thread.id, paused.run.id);
    expect(withoutDeltaIndexes(resumed.finalMessages[0].content)).toEqual(stored.content);
    // The model got the output as the tool's answer.
    expect(
      bed.upstream.lastRequest.messages.find((message: any) => message.role === 'tool'),
    ).toMatchObject({ tool_call_id: 'call_weather', content: '{"sky":"clear"}' });
  });

  it('sends what it held back when the run is cancelled mid-marker, so the deltas still add up', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Cite something.' }],
    });
    // The model stops mid-marker and hangs there until the run is cancelled.
    bed.upstream.enqueue({ chunks: ['See ', '【0†hand'], stallAfterChunks: 2 });
    const stream = sdk().stream(thread.id, assistantId);
    stream.on('textDelta', (delta: { value?: string }) => {
      if (delta.value !== 'See ') return;
      const runId = stream.currentRun()!.id;
      // Give the second chunk time to reach the run (it is held back, so no event shows it).
      setTimeout(
        () => void bed.client.beta.threads.runs.cancel(runId, { thread_id: thread.id }),
        100,
      );
    });
    const seen = await record(stream);
    expect(seen.run.status).toBe('cancelled');

    const stored = await storedAnswer(thread.id, seen.run.id);
    expect(stored.status).toBe('incomplete');
    expect(stored.content).toEqual([
      { type: 'text', text: { value: 'See 【0†hand', annotations: [] } },
    ]);
    expect(seen.textDeltas.map((delta) => delta.value)).toEqual(['See ', '【0†hand']);
    expect(withoutDeltaIndexes(seen.finalMessages[0].content)).toEqual(stored.content);
  });
});

/** Function tools: requires_action, parallel calls, submitting outputs (polling and streaming), bad ids. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRunTestBed,
  waitForRun,
  weatherTool,
  type RunTestBed,
} from '../helpers/run-test-bed.ts';

const timeTool = {
  type: 'function' as const,
  function: {
    name: 'get_time',
    parameters: { type: 'object', properties: { zone: { type: 'string' } } },
  },
};

describe('function calling with the official SDK', () => {
  let bed: RunTestBed;
  let assistantId: string;

  beforeAll(async () => {
    bed = await createRunTestBed();
    assistantId = (
      await bed.client.beta.assistants.create({ model: 'gpt-4o', tools: [weatherTool, timeTool] })
    ).id;
  });
  afterAll(() => bed.close());

  it('pauses in requires_action with parallel calls, and completes once every output is submitted', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
    });
    bed.upstream.enqueue(
      {
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_w' },
          { name: 'get_time', arguments: { zone: 'CET' }, id: 'call_t' },
        ],
        usage: { prompt_tokens: 50, completion_tokens: 20 },
      },
      { text: 'Sunny, and it is noon.', usage: { prompt_tokens: 90, completion_tokens: 6 } },
    );
    const waiting = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      { pollIntervalMs: 20 },
    );
    expect(waiting.status).toBe('requires_action');
    expect(waiting.expires_at).toBeGreaterThan(waiting.created_at);
    expect(waiting.required_action).toEqual({
      type: 'submit_tool_outputs',
      submit_tool_outputs: {
        tool_calls: [
          {
            id: 'call_w',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          {
            id: 'call_t',
            type: 'function',
            function: { name: 'get_time', arguments: '{"zone":"CET"}' },
          },
        ],
      },
    });
    expect(bed.upstream.lastRequest.tools.map((tool: any) => tool.function.name)).toEqual([
      'get_weather',
      'get_time',
    ]);

    // Outputs for only one call, or for an unknown call, are refused.
    const partial = await bed.client.beta.threads.runs
      .submitToolOutputs(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_w', output: 'sunny' }],
      })
      .catch((error) => error);
    expect(partial).toBeInstanceOf(OpenAI.BadRequestError);
    expect(partial.message).toMatch(/Expected tool outputs for call_ids \['call_w', 'call_t'\]/);
    const unknown = await bed.client.beta.threads.runs
      .submitToolOutputs(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [
          { tool_call_id: 'call_w', output: 'a' },
          { tool_call_id: 'call_zzz', output: 'b' },
        ],
      })
      .catch((error) => error);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect(unknown.message).toMatch(/call_zzz/);

    const done = await bed.client.beta.threads.runs.submitToolOutputsAndPoll(
      waiting.id,
      {
        thread_id: thread.id,
        tool_outputs: [
          { tool_call_id: 'call_t', output: '12:00' },
          { tool_call_id: 'call_w', output: 'sunny' },
        ],
      },
      { pollIntervalMs: 20 },
    );
    expect(done.status).toBe('completed');
    expect(done.usage).toEqual({ prompt_tokens: 140, completion_tokens: 26, total_tokens: 166 });
    // The model saw its own calls and the outputs, matched by id.
    const sent = bed.upstream.lastRequest.messages;
    expect(sent.at(-3)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_w' }, { id: 'call_t' }],
    });
    expect(sent.at(-2)).toEqual({ role: 'tool', tool_call_id: 'call_w', content: 'sunny' });
    expect(sent.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_t', content: '12:00' });

    const steps = await bed.client.beta.threads.runs.steps.list(done.id, {
      thread_id: thread.id,
      order: 'asc',
    });
    expect(steps.data.map((step) => [step.type, step.status])).toEqual([
      ['tool_calls', 'completed'],
      ['message_creation', 'completed'],
    ]);
    expect(steps.data[0]!.step_details).toEqual({
      type: 'tool_calls',
      tool_calls: [
        {
          id: 'call_w',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: 'sunny' },
        },
        {
          id: 'call_t',
          type: 'function',
          function: { name: 'get_time', arguments: '{"zone":"CET"}', output: '12:00' },
        },
      ],
    });
    expect(steps.data[0]!.usage).toEqual({
      prompt_tokens: 50,
      completion_tokens: 20,
      total_tokens: 70,
    });
    await expect(
      bed.client.beta.threads.runs.submitToolOutputs(done.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_w', output: 'again' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('streams tool-call deltas the SDK merges, ends at requires_action, and resumes with submitToolOutputsStream', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo, Norway' }, id: 'call_o' }] },
      { chunks: ['Cold', ' and', ' dark.'] },
    );
    const stream = bed.client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
    const events: string[] = [];
    const argumentFragments: string[] = [];
    let doneCall: any;
    stream.on('event', (event) => events.push(event.event));
    stream.on('toolCallDelta', (delta: any) =>
      argumentFragments.push(delta.function?.arguments ?? ''),
    );
    stream.on('toolCallDone', (call) => (doneCall = call));
    const paused = await stream.finalRun();
    expect(paused.status).toBe('requires_action');
    expect(events.at(-1)).toBe('thread.run.requires_action');
    expect(events.slice(0, 5)).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
    ]);
    expect(argumentFragments.join('')).toBe('{"city":"Oslo, Norway"}');
    expect(doneCall).toMatchObject({
      id: 'call_o',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo, Norway"}' },
    });

    const resumed = bed.client.beta.threads.runs.submitToolOutputsStream(paused.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_o', output: '-10C' }],
    });
    const resumedEvents: string[] = [];
    let text = '';
    resumed.on('event', (event) => resumedEvents.push(event.event));
    resumed.on('textDelta', (delta) => (text += delta.value));
    const final = await resumed.finalRun();
    expect(final.status).toBe('completed');
    expect(text).toBe('Cold and dark.');
    expect(resumedEvents.slice(0, 3)).toEqual([
      'thread.run.step.completed',
      'thread.run.queued',
      'thread.run.in_progress',
    ]);
    expect(resumedEvents.at(-1)).toBe('thread.run.completed');
  });

  it('honours a named tool_choice and parallel_tool_calls=false upstream, and rejects a tool_choice that is not a tool', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    bed.upstream.enqueue({ toolCalls: [{ name: 'get_time', arguments: {}, id: 'call_1' }] });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistantId,
        tool_choice: { type: 'function', function: { name: 'get_time' } },
        parallel_tool_calls: false,
      },
      { pollIntervalMs: 20 },
    );
    expect(run.tool_choice).toEqual({ type: 'function', function: { name: 'get_time' } });
    expect(run.parallel_tool_calls).toBe(false);
    expect(bed.upstream.lastRequest.tool_choice).toEqual({
      type: 'function',
      function: { name: 'get_time' },
    });
    expect(bed.upstream.lastRequest.parallel_tool_calls).toBe(false);
    await bed.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });

    const invalid = await bed.client.beta.threads.runs
      .create(thread.id, {
        assistant_id: assistantId,
        tool_choice: { type: 'function', function: { name: 'not_a_tool' } },
      })
      .catch((error) => error);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect(invalid.param).toBe('tool_choice');
  });

  it('expires a run left in requires_action and marks its step expired', async () => {
    const quick = await createRunTestBed({ config: { runExpirySeconds: 1 } });
    try {
      const assistant = await quick.client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [weatherTool],
      });
      const thread = await quick.client.beta.threads.create({
        messages: [{ role: 'user', content: 'x' }],
      });
      quick.upstream.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] });
      const waiting = await quick.client.beta.threads.runs.createAndPoll(
        thread.id,
        { assistant_id: assistant.id },
        { pollIntervalMs: 20 },
      );
      expect(waiting.status).toBe('requires_action');
      const expired = await waitForRun(
        quick.client,
        thread.id,
        waiting.id,
        (run) => run.status !== 'requires_action',
      );
      expect(expired.status).toBe('expired');
      expect(expired.required_action).toBeNull();
      const steps = await quick.client.beta.threads.runs.steps.list(waiting.id, {
        thread_id: thread.id,
      });
      expect(steps.data[0]).toMatchObject({ status: 'expired', expired_at: expect.any(Number) });
      const late = await quick.client.beta.threads.runs
        .submitToolOutputs(waiting.id, {
          thread_id: thread.id,
          tool_outputs: [{ tool_call_id: 'call_scripted_0', output: 'x' }],
        })
        .catch((error) => error);
      expect(late).toBeInstanceOf(OpenAI.BadRequestError);
      // The thread is free again.
      quick.upstream.enqueue({ text: 'fine' });
      expect(
        (
          await quick.client.beta.threads.runs.createAndPoll(
            thread.id,
            { assistant_id: assistant.id, tools: [] },
            { pollIntervalMs: 20 },
          )
        ).status,
      ).toBe('completed');
    } finally {
      await quick.close();
    }
  });
});

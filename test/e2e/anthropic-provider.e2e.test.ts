/**
 * A run on a named Anthropic provider: the real Anthropic adapter against Anthropic's wire format;
 * and responses on it: `reasoning.effort` switches on extended thinking with its budget, thinking
 * becomes a reasoning item whose signature is its `encrypted_content` (when included), and signed
 * thinking goes back to Claude in the run's next turn and along a `previous_response_id` chain.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedAnthropicModel } from '../helpers/scripted-anthropic-model.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

describe('runs on an Anthropic provider', () => {
  let upstream: ScriptedAnthropicModel;
  let app: TestApp;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await new ScriptedAnthropicModel().start();
    const started = await createListeningTestApp({
      config: {
        providers: { claude: { type: 'anthropic', baseURL: upstream.url, apiKey: 'sk-ant-test' } },
      },
    });
    app = started.app;
    client = new OpenAI({ baseURL: started.baseURL, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    await app.destroy();
    await upstream.stop();
  });

  it('streams text, calls a function tool, and sends the output back in Anthropic’s format', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'claude/claude-sonnet-4',
      instructions: 'Be brief.',
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
    });
    upstream.enqueue(
      { toolCalls: [{ id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }] },
      { text: 'It is warm in Rome.' },
    );
    const waiting = await client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 20 },
    );
    expect(waiting.status).toBe('requires_action');
    expect(waiting.required_action!.submit_tool_outputs.tool_calls[0]).toMatchObject({
      id: 'toolu_1',
      function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
    });
    const first = upstream.requests[0];
    expect(first.headers['x-api-key']).toBe('sk-ant-test');
    expect(first.body).toMatchObject({
      model: 'claude-sonnet-4',
      system: [{ type: 'text', text: 'Be brief.' }],
      stream: true,
    });
    expect(first.body.tools[0]).toMatchObject({
      name: 'get_weather',
      input_schema: { type: 'object' },
    });

    const done = await client.beta.threads.runs.submitToolOutputsAndPoll(
      waiting.id,
      { thread_id: thread.id, tool_outputs: [{ tool_call_id: 'toolu_1', output: '29C' }] },
      { pollIntervalMs: 20 },
    );
    expect(done.status).toBe('completed');
    expect(done.usage).toEqual({ prompt_tokens: 84, completion_tokens: 14, total_tokens: 98 });
    const second = upstream.requests[1].body.messages;
    expect(second.at(-2)).toMatchObject({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }],
    });
    expect(second.at(-1)).toMatchObject({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1' }],
    });
    const answer = (await client.beta.threads.messages.list(thread.id, { run_id: done.id }))
      .data[0]!;
    expect((answer.content[0] as OpenAI.Beta.Threads.TextContentBlock).text.value).toBe(
      'It is warm in Rome.',
    );
  });

  it('shows extended thinking as a reasoning item, and leaves it out of the next prompt', async () => {
    upstream.enqueue({ thinking: 'Rome is warm in summer.', text: 'Warm.' });
    const first = await client.responses.create({
      model: 'claude/claude-sonnet-4',
      input: 'Weather in Rome?',
    });
    expect(first.output[0]).toMatchObject({
      type: 'reasoning',
      content: [{ type: 'reasoning_text', text: 'Rome is warm in summer.' }],
    });
    expect(first.output_text).toBe('Warm.');
    // The signature is shown only when `reasoning.encrypted_content` is included, also on retrieve.
    expect(first.output[0]).not.toHaveProperty('encrypted_content');
    const included = await client.responses.retrieve(first.id, {
      include: ['reasoning.encrypted_content'],
    });
    expect(included.output[0]).toMatchObject({
      encrypted_content: expect.stringMatching(/^concierge\.reasoning\.v1\./),
    });

    // Anthropic reads thinking back only with its signature, which a reasoning item carries only
    // when `reasoning.encrypted_content` is included: the chain keeps the item, the prompt has the
    // answer alone.
    upstream.enqueue({ text: 'Yes.' });
    const second = await client.responses.create({
      model: 'claude/claude-sonnet-4',
      previous_response_id: first.id,
      input: 'Sure?',
    });
    expect(second.status).toBe('completed');
    expect(upstream.requests.at(-1).body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Rome?' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Warm.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Sure?' }] },
    ]);
  });

  const weatherTool = {
    type: 'function' as const,
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
    strict: false,
  };

  it('maps reasoning.effort to a thinking budget, and sends signed thinking back along a chain', async () => {
    upstream.enqueue({
      thinking: 'I need the weather.',
      signature: 'sig-weather',
      toolCalls: [{ id: 'toolu_w', name: 'get_weather', input: { city: 'Rome' } }],
    });
    const first = await client.responses.create({
      model: 'claude/claude-sonnet-4',
      input: 'Weather in Rome?',
      tools: [weatherTool],
      reasoning: { effort: 'medium' },
      include: ['reasoning.encrypted_content'],
    });
    expect(upstream.requests.at(-1).body.thinking).toEqual({
      type: 'enabled',
      budget_tokens: 4096,
    });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    const reasoning = first.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.encrypted_content).toMatch(/^concierge\.reasoning\.v1\./);
    expect(reasoning.encrypted_content).not.toContain('sig-weather');

    upstream.enqueue({ thinking: 'Warm, then.', signature: 'sig-answer', text: 'Warm.' });
    const second = await client.responses.create({
      model: 'claude/claude-sonnet-4',
      previous_response_id: first.id,
      tools: [weatherTool],
      reasoning: { effort: 'high' },
      input: [{ type: 'function_call_output', call_id: 'toolu_w', output: '29C' }],
    });
    expect(second.output_text).toBe('Warm.');
    // The function output continues the first response's run (its effort), whose next turn reads
    // the signed thinking from the run's own transcript.
    const continued = upstream.requests.at(-1).body;
    expect(continued.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
    const called = {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I need the weather.', signature: 'sig-weather' },
        { type: 'tool_use', id: 'toolu_w', name: 'get_weather', input: { city: 'Rome' } },
      ],
    };
    expect(continued.messages.at(-2)).toEqual(called);
    // The continued run keeps the include[] it was created with.
    expect(second.output[0]).toMatchObject({
      type: 'reasoning',
      encrypted_content: expect.stringMatching(/^concierge\.reasoning\.v1\./),
    });

    // A new response on the chain reads the stored items, whose reasoning carries its signatures.
    upstream.enqueue({ text: 'Yes.' });
    await client.responses.create({
      model: 'claude/claude-sonnet-4',
      previous_response_id: second.id,
      tools: [weatherTool],
      reasoning: { effort: 'high' },
      input: 'Sure?',
    });
    const request = upstream.requests.at(-1).body;
    expect(request.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 });
    expect(request.messages.slice(1)).toEqual([
      called,
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_w', content: '29C' }],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Warm, then.', signature: 'sig-answer' },
          { type: 'text', text: 'Warm.' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Sure?' }] },
    ]);
  });

  it('sends a turn’s signed thinking back in the run’s next turn (an Assistants run)', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'claude/claude-sonnet-4',
      reasoning_effort: 'low',
      tools: [
        {
          type: 'function',
          function: { name: weatherTool.name, parameters: weatherTool.parameters },
        },
      ],
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    });
    upstream.enqueue(
      {
        thinking: 'Ask the tool.',
        signature: 'sig-oslo',
        text: 'Checking.',
        toolCalls: [{ id: 'toolu_o', name: 'get_weather', input: { city: 'Oslo' } }],
      },
      { text: 'Cold.' },
    );
    const waiting = await client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 20 },
    );
    expect(waiting.status).toBe('requires_action');
    expect(upstream.requests.at(-1).body.thinking).toEqual({
      type: 'enabled',
      budget_tokens: 1024,
    });
    const done = await client.beta.threads.runs.submitToolOutputsAndPoll(
      waiting.id,
      { thread_id: thread.id, tool_outputs: [{ tool_call_id: 'toolu_o', output: '-5C' }] },
      { pollIntervalMs: 20 },
    );
    expect(done.status).toBe('completed');
    expect(upstream.requests.at(-1).body.messages.at(-2)).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Ask the tool.', signature: 'sig-oslo' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_o', name: 'get_weather', input: { city: 'Oslo' } },
      ],
    });
  });
});

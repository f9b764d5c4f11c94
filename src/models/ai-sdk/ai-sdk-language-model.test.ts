import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModel } from '../../../test/helpers/scripted-model.ts';
import { ModelCallError, type ModelRequest, type ModelStreamPart } from '../language-model.ts';
import { AiSdkLanguageModel } from './ai-sdk-language-model.ts';
import { createAiSdkModelResolver } from './ai-sdk-model-resolver.ts';
import { createProviderModel } from './providers.ts';

const base: ModelRequest = {
  model: 'scripted',
  system: 'Be brief.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  tools: [],
  toolChoice: 'auto',
  parallelToolCalls: true,
};

async function collect(iterable: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const parts: ModelStreamPart[] = [];
  for await (const part of iterable) parts.push(part);
  return parts;
}

describe('AI SDK adapter against the OpenAI wire format', () => {
  let upstream: ScriptedModel;
  let resolve: ReturnType<typeof createAiSdkModelResolver>['resolve'];
  beforeAll(async () => {
    upstream = await startScriptedModel();
    resolve = createAiSdkModelResolver({
      defaultBaseUrl: upstream.url,
      defaultApiKey: 'upstream-key',
      providers: {
        local: {
          type: 'openai-compatible',
          baseURL: upstream.url,
          visionModels: ['seeing'],
          contextWindows: { tiny: 1000 },
        },
      },
      resilience: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20, idleTimeoutMs: 500 },
    }).resolve;
  });
  afterAll(() => upstream.stop());

  it('streams text and reports usage', async () => {
    upstream.enqueue({
      text: 'Hello there friend',
      usage: { prompt_tokens: 11, completion_tokens: 3 },
    });
    const parts = await collect(
      resolve('scripted').model.stream(base, new AbortController().signal),
    );
    expect(
      parts
        .filter((part) => part.type === 'text-delta')
        .map((part) => (part as { delta: string }).delta)
        .join(''),
    ).toBe('Hello there friend');
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 11, outputTokens: 3 },
    });
    expect(upstream.lastRequest.stream_options).toEqual({ include_usage: true });
    expect(upstream.requests.at(-1)!.headers.authorization).toBe('Bearer upstream-key');
  });

  it('streams tool calls with their argument fragments', async () => {
    upstream.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_1' },
        { name: 'get_time', arguments: {}, id: 'call_2' },
      ],
    });
    const request: ModelRequest = {
      ...base,
      tools: [
        {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
        { name: 'get_time', parameters: { type: 'object' } },
      ],
      parallelToolCalls: false,
    };
    const parts = await collect(
      resolve('scripted').model.stream(request, new AbortController().signal),
    );
    const ends = parts.filter((part) => part.type === 'tool-call-end');
    expect(ends).toEqual([
      {
        type: 'tool-call-end',
        toolCallId: 'call_1',
        toolName: 'get_weather',
        arguments: '{"city":"Paris"}',
      },
      { type: 'tool-call-end', toolCallId: 'call_2', toolName: 'get_time', arguments: '{}' },
    ]);
    expect(parts.filter((part) => part.type === 'tool-call-delta').length).toBeGreaterThan(1);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
    expect(upstream.lastRequest.parallel_tool_calls).toBe(false);
    expect(upstream.lastRequest.tools.map((tool: any) => tool.function.name)).toEqual([
      'get_weather',
      'get_time',
    ]);
  });

  it('streams reasoning before the answer, in both adapters and both wire fields', async () => {
    const { model: sdkModel, optionsName } = createProviderModel(
      { type: 'openai-compatible', baseURL: upstream.url },
      'scripted',
    );
    const adapters = {
      lean: resolve('scripted').model,
      aiSdk: new AiSdkLanguageModel(sdkModel, optionsName),
    };
    for (const [name, model] of Object.entries(adapters))
      for (const reasoningField of ['reasoning_content', 'reasoning'] as const) {
        upstream.enqueue({
          reasoning: 'First, think. Then answer.',
          reasoningField,
          reasoningTokens: 5,
          text: 'Done.',
        });
        const parts = await collect(
          model.stream({ ...base, reasoningEffort: 'high' }, new AbortController().signal),
        );
        const kinds = parts
          .map((part) => part.type)
          .filter((kind, index, all) => kind !== all[index - 1]);
        expect(kinds, `${name} ${reasoningField}`).toEqual([
          'reasoning-delta',
          'text-delta',
          'finish',
        ]);
        const thought = parts.flatMap((part) =>
          part.type === 'reasoning-delta' ? [part.delta] : [],
        );
        expect(thought.join('')).toBe('First, think. Then answer.');
        expect(parts.at(-1)).toMatchObject({ usage: { reasoningTokens: 5 } });
        expect(upstream.lastRequest.reasoning_effort, name).toBe('high');
      }
  });

  it('replays reasoning as reasoning_content, as the AI SDK does', async () => {
    const { model: sdkModel, optionsName } = createProviderModel(
      { type: 'openai-compatible', baseURL: upstream.url },
      'scripted',
    );
    const request: ModelRequest = {
      ...base,
      messages: [
        ...base.messages,
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'They said hi.' },
            { type: 'text', text: 'Hello.' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
    };
    const sent: unknown[] = [];
    for (const model of [
      resolve('scripted').model,
      new AiSdkLanguageModel(sdkModel, optionsName),
    ]) {
      upstream.enqueue({ text: 'Hi again.' });
      await collect(model.stream(request, new AbortController().signal));
      sent.push(upstream.lastRequest.messages[2]);
    }
    expect(sent[0]).toEqual({
      role: 'assistant',
      content: 'Hello.',
      reasoning_content: 'They said hi.',
    });
    expect(sent[1]).toEqual(sent[0]);
  });

  it('sends images with their detail', async () => {
    upstream.enqueue({ text: 'A cat.' });
    const request: ModelRequest = {
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is it?' },
            {
              type: 'image',
              image: new URL('https://example.com/cat.png'),
              mediaType: 'image/png',
              detail: 'low',
            },
          ],
        },
      ],
    };
    await collect(resolve('local/seeing').model.stream(request, new AbortController().signal));
    expect(upstream.lastRequest.model).toBe('seeing');
    expect(upstream.lastRequest.messages[1].content[1]).toEqual({
      type: 'image_url',
      image_url: { url: 'https://example.com/cat.png', detail: 'low' },
    });
  });

  it('routes provider prefixes and reports capabilities', () => {
    expect(resolve('local/seeing').capabilities).toEqual({ vision: true, contextWindow: 8192 });
    expect(resolve('local/tiny').capabilities.contextWindow).toBe(1000);
    expect(resolve('gpt-4o').capabilities).toEqual({ vision: true, contextWindow: 128000 });
    expect(resolve('unknown/model').modelId).toBe('unknown/model');
  });

  it('takes context window, answer limit and vision from the models config first', () => {
    const configured = createAiSdkModelResolver({
      defaultBaseUrl: upstream.url,
      defaultApiKey: undefined,
      providers: { local: { type: 'openai-compatible', contextWindows: { tiny: 1000 } } },
      models: {
        'local/tiny': { context_window: 4096, max_output_tokens: 512 },
        'gpt-4o': { context_window: 8192, vision: false },
        'llama3.2': { vision: true },
      },
      resilience: { attempts: 1, baseDelayMs: 10, maxDelayMs: 20, idleTimeoutMs: 500 },
    }).resolve;
    expect(configured('local/tiny').capabilities).toEqual({
      vision: false,
      contextWindow: 4096,
      maxOutputTokens: 512,
    });
    expect(configured('gpt-4o').capabilities).toEqual({ vision: false, contextWindow: 8192 });
    // By the bare model id too, when the full name is not listed; unset fields fall through.
    expect(configured('local/llama3.2').capabilities).toEqual({
      vision: true,
      contextWindow: 131072,
    });
    expect(configured('mystery-model').capabilities).toEqual({
      vision: false,
      contextWindow: 8192,
    });
  });

  it('retries transient failures before any output, then succeeds', async () => {
    upstream.enqueue(
      { error: { status: 503 } },
      { error: { status: 429 } },
      { text: 'third time lucky' },
    );
    const before = upstream.requests.length;
    const parts = await collect(
      resolve('scripted').model.stream(base, new AbortController().signal),
    );
    expect(upstream.requests.length - before).toBe(3);
    expect(parts.some((part) => part.type === 'finish')).toBe(true);
  });

  it('maps errors to run error codes and gives up after the bounded attempts', async () => {
    upstream.enqueue({ error: { status: 400, message: 'bad prompt' } });
    const invalid = await collect(
      resolve('scripted').model.stream(base, new AbortController().signal),
    ).catch((error) => error);
    expect(invalid).toBeInstanceOf(ModelCallError);
    expect(invalid.code).toBe('invalid_prompt');
    upstream.enqueue(
      { error: { status: 429 } },
      { error: { status: 429 } },
      { error: { status: 429 } },
    );
    const limited = await collect(
      resolve('scripted').model.stream(base, new AbortController().signal),
    ).catch((error) => error);
    expect(limited.code).toBe('rate_limit_exceeded');
  });

  it('fails a stalled upstream with a timeout instead of hanging', async () => {
    upstream.enqueue({ text: 'one two three', stallAfterChunks: 1 });
    const error = await collect(
      resolve('scripted').model.stream(base, new AbortController().signal),
    ).catch((caught) => caught);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error.message).toMatch(/did not respond within/);
  });

  it('stops promptly when aborted', async () => {
    upstream.enqueue({ text: 'slow '.repeat(50), chunkDelayMs: 50 });
    const controller = new AbortController();
    const parts: ModelStreamPart[] = [];
    const error = await (async () => {
      for await (const part of resolve('scripted').model.stream(base, controller.signal)) {
        parts.push(part);
        if (parts.length === 2) controller.abort(new Error('cancelled by test'));
      }
    })().catch((caught) => caught);
    expect(error.message).toBe('cancelled by test');
    expect(parts.length).toBeLessThan(5);
  });
});

/**
 * A GGUF model in the server's own process (the llama-cpp provider over node-llama-cpp), driven with
 * the official SDK: the suite's tiny synthetic model goes through the real loading path, streams a
 * run, stops when the run is cancelled, answers in a JSON schema through Responses, and makes a
 * function call. The model's weights are random: these tests check the wiring, never the words.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';
import { tinyGgufPath } from '../helpers/tiny-gguf.ts';

const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    color: { type: 'string', enum: ['red', 'green', 'blue'] },
    ok: { type: 'boolean' },
  },
  required: ['color', 'ok'],
  additionalProperties: false,
} as const;

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', enum: ['Lima', 'Oslo'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
} as const;

describe('llama-cpp provider: a GGUF model in process', () => {
  let app: TestApp;
  let client: OpenAI;
  let directory: string;
  let missingPath: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-gguf-'));
    // A download cut short, and a file that is not GGUF at all.
    const truncatedPath = join(directory, 'truncated.gguf');
    const model = readFileSync(tinyGgufPath());
    writeFileSync(truncatedPath, model.subarray(0, model.length / 2));
    const textPath = join(directory, 'readme.gguf');
    writeFileSync(textPath, 'This is not a model.');
    missingPath = join(directory, 'missing.gguf');
    const started = await createListeningTestApp({
      config: {
        providers: {
          local: {
            type: 'llama-cpp',
            gguf: {
              tiny: tinyGgufPath(),
              truncated: truncatedPath,
              text: textPath,
              missing: missingPath,
            },
            contextSize: 1024,
          },
        },
      },
    });
    app = started.app;
    client = new OpenAI({ baseURL: started.baseURL, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    await app?.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  // The first call imports node-llama-cpp and starts llama.cpp: about a second on an idle machine.
  it(
    'lists its models, and streams a run whose deltas make the stored message',
    { timeout: 60_000 },
    async () => {
      const models = await client.models.list();
      expect(models.data.map((model) => model.id)).toEqual(
        expect.arrayContaining(['local/tiny', 'local/truncated']),
      );
      const assistant = await client.beta.assistants.create({
        model: 'local/tiny',
        instructions: 'Be brief.',
      });
      const thread = await client.beta.threads.create({
        messages: [{ role: 'user', content: 'Say something.' }],
      });
      const stream = client.beta.threads.runs.stream(thread.id, {
        assistant_id: assistant.id,
        max_completion_tokens: 24,
      });
      const deltas: string[] = [];
      stream.on('textDelta', (delta) => deltas.push(delta.value ?? ''));
      const run = await stream.finalRun();
      expect(run).toMatchObject({
        status: 'incomplete',
        incomplete_details: { reason: 'max_completion_tokens' },
      });
      expect(run.usage!.completion_tokens).toBe(24);
      expect(run.usage!.prompt_tokens).toBeGreaterThan(0);
      expect(deltas.length).toBeGreaterThan(1);
      const message = (await client.beta.threads.messages.list(thread.id, { run_id: run.id }))
        .data[0]!;
      const text = (message.content[0] as { text: { value: string } }).text.value;
      expect(text.length).toBeGreaterThan(0);
      expect(text).toBe(deltas.join(''));
    },
  );

  it('stops generating when the run is cancelled, and the next run has the slot', async () => {
    const assistant = await client.beta.assistants.create({ model: 'local/tiny' });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Talk until stopped.' }],
    });
    // No token limit: left alone, the answer would fill the 1,024-token context.
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    let cancelled = false;
    stream.on('textDelta', () => {
      if (cancelled) return;
      cancelled = true;
      void client.beta.threads.runs.cancel(stream.currentRun()!.id, { thread_id: thread.id });
    });
    const run = await stream.finalRun();
    expect(run.status).toBe('cancelled');
    const message = (await client.beta.threads.messages.list(thread.id, { run_id: run.id }))
      .data[0]!;
    expect(message).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'run_cancelled' },
    });

    // One generation at a time by default: this run needs the slot the cancelled one held.
    const next = await client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id, max_completion_tokens: 4 },
      { pollIntervalMs: 20 },
    );
    expect(next.status).toBe('incomplete');
  });

  it('answers in a JSON schema through Responses (grammar-constrained), streamed', async () => {
    const stream = client.responses.stream({
      model: 'local/tiny',
      input: 'Pick a color.',
      text: {
        format: { type: 'json_schema', name: 'answer', schema: ANSWER_SCHEMA, strict: true },
      },
    });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const response = await stream.finalResponse();
    expect(response.status).toBe('completed');
    const answer: unknown = JSON.parse(response.output_text);
    expect(new Ajv().validate(ANSWER_SCHEMA, answer)).toBe(true);
    expect(deltas.join('')).toBe(response.output_text);
  });

  it('calls the function tool_choice names, with arguments in its schema, and reads the output', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'local/tiny',
      tools: [WEATHER_TOOL],
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Weather?' }],
    });
    const waiting = await client.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistant.id,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      },
      { pollIntervalMs: 20 },
    );
    expect(waiting.status).toBe('requires_action');
    const call = waiting.required_action!.submit_tool_outputs.tool_calls[0]!;
    expect(call.function.name).toBe('get_weather');
    expect(
      new Ajv().validate(WEATHER_TOOL.function.parameters, JSON.parse(call.function.arguments)),
    ).toBe(true);

    // The next turn renders the call and its output through the model's chat template; the run's
    // tool_choice still names the function, so the model calls it again.
    const again = await client.beta.threads.runs.submitToolOutputsAndPoll(
      waiting.id,
      {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: call.id, output: '21C and sunny' }],
      },
      { pollIntervalMs: 20 },
    );
    expect(again.status).toBe('requires_action');
    const second = again.required_action!.submit_tool_outputs.tool_calls[0]!;
    expect(second.id).not.toBe(call.id);
    expect(second.function.name).toBe('get_weather');
    await client.beta.threads.runs.cancel(again.id, { thread_id: thread.id });
  });

  it('offers tools to the model through node-llama-cpp function calling when tool_choice is auto', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'local/tiny',
      tools: [WEATHER_TOOL],
    });
    const usage = async (toolChoice: 'auto' | 'none') => {
      const run = await client.beta.threads.createAndRunPoll(
        {
          assistant_id: assistant.id,
          thread: { messages: [{ role: 'user', content: 'Weather in Lima?' }] },
          tool_choice: toolChoice,
          max_completion_tokens: 8,
        },
        { pollIntervalMs: 20 },
      );
      // Random weights do not decide to call: the answer is text, cut at the limit.
      expect(run.status).toBe('incomplete');
      return run.usage!.prompt_tokens;
    };
    // The chat wrapper describes the function (name and parameters) in the prompt.
    expect(await usage('auto')).toBeGreaterThan((await usage('none')) + 20);
  });

  const loadFailure = (name: string, reason: string) => ({
    status: 'failed',
    code: 'server_error',
    message: `The GGUF model "local/${name}" could not load from ${join(directory, `${name === 'text' ? 'readme' : name}.gguf`)}: ${reason}`,
  });

  it('fails a run clearly when the GGUF file is missing, broken, or not configured', async () => {
    const failures = await Promise.all(
      ['missing', 'truncated', 'text', 'nope'].map(async (name) => {
        const assistant = await client.beta.assistants.create({ model: `local/${name}` });
        const run = await client.beta.threads.createAndRunPoll(
          { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } },
          { pollIntervalMs: 20 },
        );
        return { status: run.status, ...run.last_error };
      }),
    );
    expect(failures[0]).toEqual(loadFailure('missing', 'no such file'));
    expect(failures[1]).toMatchObject({
      ...loadFailure('truncated', ''),
      message: expect.stringMatching(
        /could not load from .+truncated\.gguf: tensor '.+' data is not within the file bounds/,
      ),
    });
    expect(failures[2]).toEqual(loadFailure('text', 'not a GGUF file'));
    expect(failures[3]).toEqual({
      status: 'failed',
      code: 'invalid_prompt',
      message:
        'The model "local/nope" does not exist: the llama-cpp provider "local" has "local/tiny", "local/truncated", "local/text", "local/missing".',
    });
  });
});

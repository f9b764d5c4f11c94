/**
 * Limits per project and key through the official SDK and raw fetch, with truly parallel requests:
 * on SQLite (one node) and on PostgreSQL with two nodes sharing one schema (an API-only node and a
 * node with the worker), so the two together never allow more than one limit. Requests per minute,
 * concurrent runs (runs and background responses), stored bytes, and tokens per day met mid-run or
 * spent by model calls outside runs (compactions, embeddings).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { testDatabases } from '../helpers/databases.ts';
import { dropSchema, newSchemaName, postgresTestUrl } from '../helpers/postgres.ts';
import { weatherTool, waitForRun } from '../helpers/run-test-bed.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

const ADMIN_KEY = 'admin-key-for-limit-tests';
const EMBEDDING_MODEL = 'scripted-embedding';

/** Settles every promise; returns the values and the 429s (anything else is rethrown). */
async function settle<T>(work: Array<Promise<T>>) {
  const results = await Promise.allSettled(work);
  const values: T[] = [];
  const limited: InstanceType<typeof OpenAI.RateLimitError>[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') values.push(result.value);
    else if (result.reason instanceof OpenAI.RateLimitError) limited.push(result.reason);
    else throw result.reason;
  }
  return { values, limited };
}

/** Keeps a burst inside one minute window: waits out the last two seconds of a minute, if in them. */
async function awayFromMinuteEnd(): Promise<number> {
  const second = Math.floor(Date.now() / 1000) % 60;
  if (second >= 58) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
  return Math.floor(Date.now() / 60_000);
}

// Cancelling a run held by a worker on another node takes until that worker stops it.
async function settled(read: () => Promise<{ status?: string | null | undefined }>) {
  while (['queued', 'in_progress', 'cancelling'].includes((await read()).status ?? ''))
    await new Promise((resolve) => setTimeout(resolve, 20));
}

const upload = async (client: OpenAI, bytes: number) =>
  client.files.create({
    file: await toFile(Buffer.alloc(bytes, 'a'), 'a.txt'),
    purpose: 'assistants',
  });

describe.each(testDatabases)('limits per project and key (%s)', (database) => {
  let upstream: ScriptedModel;
  let directory: string;
  let nodes: string[];
  let admin: OpenAI;
  const apps: Array<App | TestApp> = [];
  const schema = newSchemaName();

  /** A new project with the given limits, and a key of it with its own limits. */
  async function project(limits: object, keyLimits: object = {}) {
    const created = await admin.post<{ id: string }>('/organization/projects', {
      body: { name: 'limits' },
    });
    const key = await admin.post<{ id: string; value: string }>(
      `/organization/projects/${created.id}/api_keys`,
      { body: { name: 'limited' } },
    );
    await admin.post(`/organization/projects/${created.id}/limits`, { body: limits });
    await admin.post(`/organization/projects/${created.id}/api_keys/${key.id}/limits`, {
      body: keyLimits,
    });
    const clients = nodes.map(
      (baseURL) => new OpenAI({ baseURL, apiKey: key.value, maxRetries: 0 }),
    );
    return { id: created.id, keyId: key.id, secret: key.value, clients };
  }

  beforeAll(async () => {
    upstream = await startScriptedModel();
    const base = {
      apiKey: ADMIN_KEY,
      providerBaseUrl: upstream.url,
      modelTimeoutSeconds: 5,
      // The scripted upstream's `/embeddings`: embeddings cost tokens without loading the built-in.
      embeddingModel: EMBEDDING_MODEL,
    };
    if (database === 'sqlite') {
      const { app, baseURL } = await createListeningTestApp({ config: base });
      apps.push(app);
      nodes = [baseURL, baseURL];
    } else {
      directory = mkdtempSync(join(tmpdir(), 'concierge-limits-'));
      const url = new URL(postgresTestUrl);
      url.searchParams.set('schema', schema);
      const config = (name: string, worker: boolean) =>
        ConfigSchema.parse({
          ...base,
          port: 0,
          logLevel: 'silent',
          dataDir: join(directory, name),
          databaseUrl: url.toString(),
          worker,
        });
      const workerNode = await createApp(config('worker', true), { logger: false });
      const apiNode = await createApp(config('api', false), { logger: false });
      apps.push(apiNode, workerNode);
      nodes = [await workerNode.listen(), await apiNode.listen()];
    }
    admin = new OpenAI({ baseURL: nodes[0], apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    for (const app of apps) await ('destroy' in app ? app.destroy() : app.close());
    await upstream?.stop();
    if (database === 'postgres') {
      await dropSchema(schema);
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('lets parallel requests on both nodes through only up to the project limit per minute', async () => {
    const limited = await project({ max_requests_per_1_minute: 6 });
    const minute = await awayFromMinuteEnd();
    const burst = await settle(
      Array.from({ length: 16 }, (_, index) => limited.clients[index % 2]!.beta.assistants.list()),
    );
    const sameMinute = Math.floor(Date.now() / 60_000) === minute;
    // Across a minute boundary the new minute has its own 6.
    expect(burst.values.length).toBeGreaterThanOrEqual(6);
    expect(burst.values.length).toBeLessThanOrEqual(sameMinute ? 6 : 12);
    expect(burst.values.length + burst.limited.length).toBe(16);
    for (const error of burst.limited) {
      expect(error.status).toBe(429);
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.type).toBe('requests');
      expect(error.headers.get('x-ratelimit-limit-requests')).toBe('6');
      expect(error.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another project is not affected.
    const other = await project({ max_requests_per_1_minute: 6 });
    await expect(other.clients[1]!.beta.assistants.list()).resolves.toBeDefined();
  });

  it('counts each response.create over a WebSocket as a request, with a 429 error event past the limit', async () => {
    upstream.respondWith(() => ({ text: 'Over the socket.' }));
    const limited = await project({ max_requests_per_1_minute: 3 });
    const minute = await awayFromMinuteEnd();
    const socket = new ResponsesWS(limited.clients[0]!);
    const events: Array<{ type: string; status?: number; error?: { code?: string } }> = [];
    socket.on('error', () => {});
    const ended = new Promise<void>((resolve) =>
      socket.on('event', (event) => {
        events.push(event as (typeof events)[number]);
        const ends = events.filter((seen) => ['response.completed', 'error'].includes(seen.type));
        if (ends.length === 6) resolve();
      }),
    );
    for (let index = 0; index < 6; index++)
      socket.send({ type: 'response.create', model: 'gpt-4o', input: `hello ${index}` });
    await ended;
    socket.close();
    const sameMinute = Math.floor(Date.now() / 60_000) === minute;
    const completed = events.filter((event) => event.type === 'response.completed');
    const refused = events.filter((event) => event.type === 'error');
    expect(completed.length).toBeGreaterThanOrEqual(3);
    expect(completed.length).toBeLessThanOrEqual(sameMinute ? 3 : 6);
    for (const error of refused)
      expect(error).toMatchObject({ status: 429, error: { code: 'rate_limit_exceeded' } });
  });

  it('sends the x-ratelimit headers on successes and on the 429 (SDK and raw fetch)', async () => {
    const limited = await project({ max_tokens_per_1_day: 5000 }, { max_requests_per_1_minute: 2 });
    await awayFromMinuteEnd();
    const first = await limited.clients[0]!.beta.assistants.list().withResponse();
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+m)?\d+s$/);
    expect(first.response.headers.get('x-ratelimit-limit-tokens')).toBe('5000');
    expect(first.response.headers.get('x-ratelimit-remaining-tokens')).toBe('5000');
    expect(first.response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+h)?(\d+m)?\d+s$/);

    const raw = await fetch(`${nodes[1]}/assistants`, {
      headers: { authorization: `Bearer ${limited.secret}` },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-ratelimit-remaining-requests')).toBe('0');

    const refused = await fetch(`${nodes[0]}/assistants`, {
      headers: { authorization: `Bearer ${limited.secret}` },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      error: {
        message: expect.stringContaining(`API key ${limited.keyId}`),
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    // The admin key acts on the project without the key's limit (the project has none per minute).
    const asAdmin = new OpenAI({
      baseURL: nodes[1],
      apiKey: ADMIN_KEY,
      project: limited.id,
      maxRetries: 0,
    });
    const page = await asAdmin.beta.assistants.list().withResponse();
    expect(page.response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect(page.response.headers.get('x-ratelimit-limit-tokens')).toBe('5000');
  });

  it('starts at most the concurrent-runs limit among parallel runs and responses', async () => {
    const limited = await project({ max_concurrent_runs: 2 });
    upstream.respondWith(() => ({ text: 'slow '.repeat(100), chunkDelayMs: 40 }));
    const assistant = await limited.clients[0]!.beta.assistants.create({ model: 'gpt-4o' });
    const creations = Array.from({ length: 6 }, (_, index) => {
      const client = limited.clients[index % 2]!;
      return index < 3
        ? client.beta.threads.createAndRun({ assistant_id: assistant.id }).then((run) => ({
            cancel: async () => {
              await client.beta.threads.runs.cancel(run.id, { thread_id: run.thread_id });
              await settled(() =>
                client.beta.threads.runs.retrieve(run.id, { thread_id: run.thread_id }),
              );
            },
          }))
        : client.responses
            .create({ model: 'gpt-4o', input: 'Hi', background: true })
            .then((response) => ({
              cancel: async () => {
                await client.responses.cancel(response.id);
                await settled(() => client.responses.retrieve(response.id));
              },
            }));
    });
    const { values, limited: refused } = await settle<{ cancel: () => Promise<unknown> }>(
      creations,
    );
    expect(values).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const error of refused) {
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.type).toBe('concurrent_runs');
      expect(error.headers.get('retry-after')).toBe('1');
    }
    for (const started of values) await started.cancel();
    upstream.respondWith(() => ({ text: 'Done.' }));
    // Cancelled runs free their places.
    const run = await limited.clients[1]!.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
  });

  it('admits a run resumed from requires_action like a new run: parallel resumptions take the free places only', async () => {
    const limited = await project({ max_concurrent_runs: 2 });
    // A new conversation asks for the weather; an answered call gets a slow reply.
    upstream.respondWith((body: { messages: Array<{ role: string }> }) =>
      body.messages.at(-1)?.role === 'tool'
        ? { text: 'slow '.repeat(100), chunkDelayMs: 40 }
        : { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] },
    );
    const client = limited.clients[0]!;
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [weatherTool],
    });
    // Four runs and two responses wait in requires_action: waiting, they hold no place.
    const runs = [];
    for (let index = 0; index < 4; index++)
      runs.push(
        await client.beta.threads.createAndRunPoll(
          { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'W?' }] } },
          { pollIntervalMs: 20 },
        ),
      );
    const responses = [];
    for (let index = 0; index < 2; index++)
      responses.push(
        await client.responses.create({
          model: 'gpt-4o',
          input: 'Weather?',
          tools: [{ type: 'function', ...weatherTool.function, strict: false }],
        }),
      );
    for (const run of runs) expect(run.status).toBe('requires_action');
    for (const response of responses) expect(response.output[0]!.type).toBe('function_call');

    type Resumed = { run: (typeof runs)[number] } | { response: (typeof responses)[number] };
    const resumptions: Array<Promise<Resumed>> = [
      ...runs.map((run, index) =>
        limited.clients[index % 2]!.beta.threads.runs.submitToolOutputs(run.id, {
          thread_id: run.thread_id,
          tool_outputs: [
            {
              tool_call_id: run.required_action!.submit_tool_outputs.tool_calls[0]!.id,
              output: 'Sunny',
            },
          ],
        }).then(() => ({ run })),
      ),
      ...responses.map((response, index) =>
        limited.clients[index % 2]!.responses.create({
          model: 'gpt-4o',
          previous_response_id: response.id,
          input: [
            {
              type: 'function_call_output',
              call_id: (response.output[0] as { call_id: string }).call_id,
              output: 'Sunny',
            },
          ],
          background: true,
        }).then((continued) => ({ response: continued })),
      ),
    ];
    const { values, limited: refused } = await settle(resumptions);
    expect(values).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const error of refused) {
      expect(error.type).toBe('concurrent_runs');
      expect(error.headers.get('retry-after')).toBe('1');
    }
    // A refused run still waits for its outputs; a refused continuation left no response behind.
    const resumed = new Set(values.flatMap((value) => ('run' in value ? [value.run.id] : [])));
    for (const waiting of runs.filter((run) => !resumed.has(run.id))) {
      const current = await client.beta.threads.runs.retrieve(waiting.id, {
        thread_id: waiting.thread_id,
      });
      expect(current.status).toBe('requires_action');
    }
    const active = await Promise.all(
      runs.map((run) => client.beta.threads.runs.retrieve(run.id, { thread_id: run.thread_id })),
    );
    expect(active.filter((run) => run.status !== 'requires_action').length).toBe(
      values.filter((value) => 'run' in value).length,
    );
    // The places come back when the resumed runs end.
    for (const value of values) {
      if ('run' in value) {
        await client.beta.threads.runs.cancel(value.run.id, { thread_id: value.run.thread_id });
        await settled(() =>
          client.beta.threads.runs.retrieve(value.run.id, { thread_id: value.run.thread_id }),
        );
      } else {
        await client.responses.cancel(value.response.id);
        await settled(() => client.responses.retrieve(value.response.id));
      }
    }
    upstream.respondWith(() => ({ text: 'Done.' }));
    const waiting = runs.find((run) => !resumed.has(run.id))!;
    await client.beta.threads.runs.submitToolOutputs(waiting.id, {
      thread_id: waiting.thread_id,
      tool_outputs: [
        {
          tool_call_id: waiting.required_action!.submit_tool_outputs.tool_calls[0]!.id,
          output: 'Sunny',
        },
      ],
    });
    const done = await waitForRun(client, waiting.thread_id, waiting.id, (run) =>
      ['failed', 'completed'].includes(run.status),
    );
    expect(done.status).toBe('completed');
  });

  it('fails a run that meets its tokens per day mid-way, then refuses new runs with the token headers', async () => {
    const limited = await project({}, { max_tokens_per_1_day: 100 });
    const client = limited.clients[1]!;
    upstream.enqueue(
      {
        toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }],
        usage: { prompt_tokens: 80, completion_tokens: 30 },
      },
      { text: 'Never sent.' },
    );
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [weatherTool],
    });
    const paused = await client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Weather?' }] } },
      { pollIntervalMs: 20 },
    );
    expect(paused.status).toBe('requires_action');
    const requests = upstream.requests.length;
    const call = paused.required_action!.submit_tool_outputs.tool_calls[0]!;
    await client.beta.threads.runs.submitToolOutputs(paused.id, {
      thread_id: paused.thread_id,
      tool_outputs: [{ tool_call_id: call.id, output: 'Sunny' }],
    });
    const failed = await waitForRun(client, paused.thread_id, paused.id, (run) =>
      ['failed', 'completed'].includes(run.status),
    );
    expect(failed.status).toBe('failed');
    expect(failed.last_error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(failed.last_error!.message).toContain('tokens per day');
    expect(upstream.requests.length).toBe(requests);

    const refused = await client.beta.threads
      .createAndRun({ assistant_id: assistant.id })
      .then(() => undefined)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.type).toBe('tokens');
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.headers.get('x-ratelimit-limit-tokens')).toBe('100');
    expect(error.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
    // The project's other callers are not limited by the key's tokens.
    const asAdmin = new OpenAI({
      baseURL: nodes[0],
      apiKey: ADMIN_KEY,
      project: limited.id,
      maxRetries: 0,
    });
    upstream.respondWith(() => ({ text: 'Fine.' }));
    const run = await asAdmin.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
  });

  it('counts a compaction and embeddings against tokens per day, with a usage record for the compaction', async () => {
    const limited = await project({}, { max_tokens_per_1_day: 100 });
    const [first, second] = limited.clients as [OpenAI, OpenAI];
    const startTime = Math.floor(Date.now() / 1000) - 60;
    upstream.enqueue({
      text: 'The user said hello.',
      usage: { prompt_tokens: 60, completion_tokens: 20 },
    });
    const compacted = await first.responses.compact({ model: 'gpt-4o', input: 'Hello there' });
    expect(compacted.usage).toMatchObject({ input_tokens: 60, output_tokens: 20 });
    const usage = await admin.get<{
      data: Array<{
        results: Array<{ input_tokens: number; output_tokens: number; num_model_requests: number }>;
      }>;
    }>('/organization/usage/completions', {
      query: { start_time: startTime, project_ids: [limited.id], group_by: ['api_key_id'] },
    });
    expect(usage.data.flatMap((bucket) => bucket.results)).toEqual([
      expect.objectContaining({
        input_tokens: 60,
        output_tokens: 20,
        num_model_requests: 1,
        api_key_id: limited.keyId,
      }),
    ]);

    // 80 of 100 spent: embeddings go through and spend the rest (the server's count of tokens).
    const embedded = await second.embeddings.create({
      model: EMBEDDING_MODEL,
      input: Array.from({ length: 4 }, () => 'one two three four five six seven eight'),
      encoding_format: 'float',
    });
    expect(embedded.usage.prompt_tokens).toBeGreaterThanOrEqual(20);
    const requests = upstream.requests.length;
    for (const refused of [
      await first.responses
        .compact({ model: 'gpt-4o', input: 'Again' })
        .catch((error: unknown) => error),
      await second.embeddings
        .create({ model: EMBEDDING_MODEL, input: 'more' })
        .catch((error: unknown) => error),
    ]) {
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.type).toBe('tokens');
      expect(error.headers.get('x-ratelimit-limit-tokens')).toBe('100');
      expect(error.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
      expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Refused before the upstream was called; a run of the key is refused too.
    expect(upstream.requests.length).toBe(requests);
    await expect(first.responses.create({ model: 'gpt-4o', input: 'Hi' })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
  });

  it('stores files in parallel on both nodes only up to the stored-bytes limit', async () => {
    const limited = await project({ max_stored_bytes: 1000 });
    await upload(limited.clients[0]!, 600);
    const { values, limited: refused } = await settle(
      Array.from({ length: 4 }, (_, index) => upload(limited.clients[index % 2]!, 300)),
    );
    expect(values).toHaveLength(1);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.type).toBe('stored_bytes');
    const listed = await limited.clients[1]!.files.list();
    expect(listed.data.reduce((sum, file) => sum + file.bytes, 0)).toBe(900);
    // Deleting makes room.
    await limited.clients[1]!.files.delete(values[0]!.id);
    await expect(upload(limited.clients[1]!, 400)).resolves.toMatchObject({ bytes: 400 });
  });
  it('counts container files and indexed vector store bytes toward stored bytes, as the usage meter does', async () => {
    const limited = await project({ max_stored_bytes: 1000 });
    const [first, second] = limited.clients as [OpenAI, OpenAI];
    const file = await upload(first, 400);
    const container = await first.containers.create({ name: 'bytes' });
    const containerUpload = async (client: OpenAI, bytes: number, into = container.id) =>
      client.containers.files.create(into, {
        file: await toFile(Buffer.alloc(bytes, 'b'), `${bytes}-${Math.random()}.txt`),
      });
    const { values, limited: refused } = await settle(
      Array.from({ length: 4 }, (_, index) => containerUpload(limited.clients[index % 2]!, 500)),
    );
    expect(values).toHaveLength(1);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.type).toBe('stored_bytes');
    // A file in a vector store counts again by its parsed size once indexed.
    const store = await second.vectorStores.create({ file_ids: [file.id] });
    let indexed = await second.vectorStores.retrieve(store.id);
    while (indexed.file_counts.completed === 0) {
      expect(indexed.file_counts.failed).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      indexed = await second.vectorStores.retrieve(store.id);
    }
    expect(indexed.usage_bytes).toBeGreaterThanOrEqual(400);
    const total = 900 + indexed.usage_bytes;
    const usage = await admin.get<{ data: Array<{ results: Array<{ usage_bytes: number }> }> }>(
      '/organization/usage/vector_stores',
      { query: { start_time: Math.floor(Date.now() / 1000) - 3600, project_ids: [limited.id] } },
    );
    expect(usage.data.flatMap((bucket) => bucket.results).at(-1)?.usage_bytes).toBe(total);
    const over = await upload(first, 1).catch((error: unknown) => error);
    expect(over).toBeInstanceOf(OpenAI.RateLimitError);
    expect((over as InstanceType<typeof OpenAI.RateLimitError>).message).toContain(
      `Stored ${total}`,
    );
    // Deleting the container gives its bytes back.
    await first.containers.delete(container.id);
    await first.vectorStores.delete(store.id);
    const another = await second.containers.create({ name: 'room' });
    await expect(containerUpload(second, 500, another.id)).resolves.toMatchObject({ bytes: 500 });
  });
  it('lets a container file replacing one at its path use the bytes it frees', async () => {
    const limited = await project({ max_stored_bytes: 1000 });
    const [first, second] = limited.clients as [OpenAI, OpenAI];
    const container = await first.containers.create({ name: 'replace' });
    const put = async (client: OpenAI, bytes: number, name: string) =>
      client.containers.files.create(container.id, {
        file: await toFile(Buffer.alloc(bytes, 'c'), name),
      });
    const old = await put(first, 600, 'report.txt');
    // 600 + 700 would pass 1000, but the new file replaces the old one at /mnt/data/report.txt.
    const replacing = await put(second, 700, 'report.txt');
    expect(replacing).toMatchObject({ bytes: 700, path: old.path });
    const listed = await first.containers.files.list(container.id);
    expect(listed.data.map((file) => [file.id, file.bytes])).toEqual([[replacing.id, 700]]);
    // What it freed is gone from the meter: a file at another path still has to fit beside it.
    const over = await put(first, 400, 'other.txt').catch((error: unknown) => error);
    expect(over).toBeInstanceOf(OpenAI.RateLimitError);
    expect((over as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('Stored 700');
    // A replacement that is itself too large is still refused, and leaves the file in place.
    const tooLarge = await put(second, 1001, 'report.txt').catch((error: unknown) => error);
    expect(tooLarge).toBeInstanceOf(OpenAI.RateLimitError);
    expect((tooLarge as InstanceType<typeof OpenAI.RateLimitError>).message).toContain(
      'Replaced 700',
    );
    const after = await first.containers.files.list(container.id);
    expect(after.data.map((file) => file.id)).toEqual([replacing.id]);
    await first.containers.delete(container.id);
  });
});

/**
 * file_search out of the box: a server with no embedding configuration uses the built-in embedder
 * (`local:use-lite`), so a question worded differently from the document still finds it. The model
 * loads lazily, in a worker thread: starting the server loads no tfjs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

const INCLUDE = 'step_details.tool_calls[*].file_search.results[*].content' as const;
const REFUND =
  'Returns. Purchases may be returned within 30 days of delivery; the full price is refunded to the original card.';
/** Shares the question's words, not its meaning. */
const DISTRACTOR =
  'Back office. How do I get into the money room? Get the key from security; the room is locked at night.';
const CAFETERIA = 'Cafeteria. Lunch is served from noon until two on weekdays.';
const QUESTION = 'how do I get my money back';

const tfjsLoaded = () => '_tfengine' in globalThis;
const workerThreads = () => (process.report.getReport() as any).workers.length as number;

async function searchInRun(client: OpenAI, upstream: ScriptedModel) {
  const store = await client.vectorStores.create({ name: 'shop' });
  for (const [name, text] of [
    ['returns.txt', REFUND],
    ['office.txt', DISTRACTOR],
    ['cafeteria.txt', CAFETERIA],
  ] as const)
    await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(text), name), {
      pollIntervalMs: 50,
    });
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o',
    tools: [{ type: 'file_search', file_search: { max_num_results: 2 } }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const thread = await client.beta.threads.create({
    messages: [{ role: 'user', content: 'I changed my mind about my order.' }],
  });
  upstream.enqueue(
    { toolCalls: [{ name: 'file_search', arguments: { query: QUESTION }, id: 'call_fs' }] },
    { text: 'You can send it back within 30 days.' },
  );
  const run = await client.beta.threads.runs.createAndPoll(
    thread.id,
    { assistant_id: assistant.id },
    { pollIntervalMs: 50 },
  );
  expect(run.status).toBe('completed');
  const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
  const toolStep = steps.data.find((step) => step.step_details.type === 'tool_calls')!;
  const detailed = await client.beta.threads.runs.steps.retrieve(toolStep.id, {
    thread_id: thread.id,
    run_id: run.id,
    include: [INCLUDE],
  });
  const results = (detailed.step_details as any).tool_calls[0].file_search.results as Array<{
    file_name: string;
    content: Array<{ text: string }>;
  }>;
  return results;
}

describe('semantic file_search with no embedding configuration (npm start)', () => {
  let upstream: ScriptedModel;
  let server: ServerProcess;
  let directory: string;

  beforeAll(async () => {
    upstream = await startScriptedModel();
    directory = mkdtempSync(join(tmpdir(), 'concierge-semantic-'));
    server = await startServerProcess({
      CONCIERGE_DATABASE_URL: `sqlite:${join(directory, 'concierge.db')}`,
      CONCIERGE_DATA_DIR: directory,
      CONCIERGE_PROVIDER_BASE_URL: upstream.url,
      CONCIERGE_LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await upstream?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('finds the passage by a paraphrased question, which keywords alone miss', async () => {
    // /health can answer before the start-up log's bytes have crossed the pipe.
    await waitFor(
      async () => server.output().includes('hybrid retrieval (keyword + local:use-lite embeddings'),
      'the start-up line naming hybrid retrieval',
    );
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    const results = await searchInRun(client, upstream);
    expect(results.map((result) => result.file_name)).toContain('returns.txt');
    const passage = results.find((result) => result.file_name === 'returns.txt')!;
    expect(passage.content[0]!.text).toBe(REFUND);
    // The model read the passage as the tool's output.
    const toolMessage = upstream.lastRequest.messages.find(
      (message: any) => message.role === 'tool',
    );
    expect(toolMessage.content).toContain('the full price is refunded');
  });

  it('finds a passage at the end of a chunk longer than the encoder reads (its best window)', async () => {
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    const store = await client.vectorStores.create({ name: 'handbook' });
    // ~400 model tokens of other matters first: one chunk, of which the model reads 128 tokens at once.
    const filler =
      `${CAFETERIA} The lobby shows photographs of the river by the staff club. `.repeat(12);
    for (const [name, text] of [
      ['handbook.txt', `${filler}${REFUND}`],
      ['lobby.txt', `${filler}${CAFETERIA}`],
    ] as const)
      await client.vectorStores.files.uploadAndPoll(
        store.id,
        await toFile(Buffer.from(text), name),
        {
          pollIntervalMs: 50,
        },
      );
    const page = await client.vectorStores.search(store.id, { query: QUESTION });
    expect(page.data[0]!.filename).toBe('handbook.txt');
  });
});

describe('keyword-only by choice (CONCIERGE_EMBEDDING_MODEL=none)', () => {
  let bed: RunTestBed;
  beforeAll(async () => {
    bed = await createRunTestBed({ config: { embeddingModel: 'none' } });
  });
  afterAll(() => bed.close());

  it('misses the paraphrase: the built-in embedder is what finds it', async () => {
    const results = await searchInRun(bed.client, bed.upstream);
    expect(results.map((result) => result.file_name)).not.toContain('returns.txt');
  });
});

describe('the built-in embedder loads lazily', () => {
  let bed: RunTestBed;

  beforeAll(async () => {
    // Left unset, as a fresh server has it: the default applies.
    bed = await createRunTestBed({ config: { embeddingModel: undefined } });
  });
  afterAll(() => bed.close());

  it('starts no worker and loads no tfjs until a file is embedded, and never in the main thread', async () => {
    expect(tfjsLoaded()).toBe(false);
    expect(workerThreads()).toBe(0);
    const store = await bed.client.vectorStores.create({ name: 'lazy' });
    const file = await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(REFUND), 'returns.txt'),
      { pollIntervalMs: 50 },
    );
    expect(file.status).toBe('completed');
    const page = await bed.client.vectorStores.search(store.id, { query: QUESTION });
    expect(page.data[0]!.filename).toBe('returns.txt');
    // The parse worker and the embedding worker; tfjs only inside the latter.
    expect(workerThreads()).toBeGreaterThanOrEqual(2);
    expect(tfjsLoaded()).toBe(false);
  });
});

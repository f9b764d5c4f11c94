/**
 * A run started right after its thread was created with a file_search attachment waits, queued, for
 * the thread's store to finish indexing, then finds the document; meanwhile the worker (one slot)
 * serves other runs. Embeddings are slowed down to keep the indexing in progress.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestEmbeddingServer,
  TEST_EMBEDDING_MODEL,
  type TestEmbeddingServer,
} from '../helpers/embedding-server.ts';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, waitForRun, type RunTestBed } from '../helpers/run-test-bed.ts';

describe.each(testDatabases)('runs wait for their thread’s files (%s)', (database) => {
  let bed: RunTestBed;
  let embeddings: TestEmbeddingServer;

  beforeAll(async () => {
    embeddings = await startTestEmbeddingServer();
    bed = await createRunTestBed({
      database,
      config: {
        workerConcurrency: 1,
        embeddingModel: TEST_EMBEDDING_MODEL,
        providerBaseUrl: embeddings.baseURL,
      },
    });
    // Turn 1 searches when the user asks about the wifi; a turn after a tool result answers.
    bed.upstream.respondWith((body) => {
      const messages = body.messages as Array<{ role: string; content: unknown }>;
      if (messages.some((message) => message.role === 'tool')) return { text: 'Found it.' };
      return JSON.stringify(messages).includes('wifi')
        ? { toolCalls: [{ name: 'file_search', arguments: { query: 'office wifi password' } }] }
        : { text: 'Hello!' };
    });
  });
  afterAll(async () => {
    await bed?.close();
    await embeddings?.close();
  });

  it('a run created at once finds the attached document, and the worker serves others meanwhile', async () => {
    const assistant = await bed.client.beta.assistants.create({
      model: 'local/helper',
      tools: [{ type: 'file_search' }],
    });
    const file = await bed.client.files.create({
      file: await toFile(Buffer.from('The office wifi password is tangerine-42.'), 'wifi.txt'),
      purpose: 'assistants',
    });
    embeddings.delay(1500);
    const waiting = await bed.client.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'What is the wifi password?',
          attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
        },
      ],
    });
    const first = await bed.client.beta.threads.runs.create(waiting.id, {
      assistant_id: assistant.id,
    });

    // With one worker slot, another thread's run completes while the first one waits.
    const other = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    const second = await bed.client.beta.threads.runs.createAndPoll(
      other.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 20 },
    );
    expect(second.status).toBe('completed');
    const meanwhile = await bed.client.beta.threads.runs.retrieve(first.id, {
      thread_id: waiting.id,
    });
    expect(meanwhile.status).toBe('queued');
    expect(meanwhile.started_at).toBeNull();
    embeddings.delay(0);

    const finished = await waitForRun(
      bed.client,
      waiting.id,
      first.id,
      (run) => !['queued', 'in_progress'].includes(run.status),
      20_000,
    );
    expect(finished.status).toBe('completed');
    const steps = await bed.client.beta.threads.runs.steps.list(first.id, {
      thread_id: waiting.id,
    });
    const call = (steps.data.find((step) => step.type === 'tool_calls')!.step_details as any)
      .tool_calls[0];
    expect(call.file_search.results.map((result: any) => result.file_id)).toContain(file.id);
  });
});

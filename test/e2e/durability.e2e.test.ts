/**
 * Durability with real processes: a server killed with SIGKILL mid-run is replaced and the run is
 * taken over; SIGTERM drains (the run finishes) or hands the run back to the next server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../helpers/run-test-bed.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { freePort, startServerProcess } from '../helpers/server-process.ts';

async function startRun(client: OpenAI) {
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await client.beta.threads.create({
    messages: [{ role: 'user', content: 'A long answer, please.' }],
  });
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  // The stream may be cut by the server going away; that is the point of these tests.
  stream.done().catch(() => {});
  let deltas = 0;
  await new Promise<void>((resolve) => stream.on('textDelta', () => ++deltas === 3 && resolve()));
  return { thread, run: stream.currentRun()!, stream };
}

describe('durability across process deaths', () => {
  let upstream: ScriptedModel;
  let directory: string;

  beforeAll(async () => {
    upstream = await startScriptedModel();
    directory = mkdtempSync(join(tmpdir(), 'concierge-durability-'));
  });
  afterAll(async () => {
    await upstream.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  function environment(name: string, extra: Record<string, string> = {}) {
    return {
      CONCIERGE_DATABASE_URL: `sqlite:${join(directory, `${name}.db`)}`,
      CONCIERGE_DATA_DIR: join(directory, name),
      CONCIERGE_PROVIDER_BASE_URL: upstream.url,
      CONCIERGE_LEASE_SECONDS: '2',
      ...extra,
    };
  }

  it('takes over a run after SIGKILL: one answer, a truthful step history, a gap-free event log', async () => {
    const port = String(await freePort());
    const first = await startServerProcess(environment('kill', { PORT: port }));
    const firstRequest = upstream.requests.length;
    upstream.respondWith((_body, index) =>
      index === firstRequest
        ? { text: 'partial '.repeat(100), chunkDelayMs: 20 }
        : { text: 'The complete answer.' },
    );
    const client = new OpenAI({ baseURL: first.baseURL, apiKey: 'x', maxRetries: 0 });
    const { thread, run, stream } = await startRun(client);
    stream.abort();
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startServerProcess(environment('kill', { PORT: port }));
    try {
      const done = await waitForRun(
        client,
        thread.id,
        run.id,
        (current) => current.status === 'completed',
        20_000,
      );
      expect(done.status).toBe('completed');
      const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
      expect(messages.data.map((message) => [message.role, message.status])).toEqual([
        ['user', 'completed'],
        ['assistant', 'completed'],
      ]);
      expect((messages.data[1]!.content[0] as { text: { value: string } }).text.value).toBe(
        'The complete answer.',
      );
      const steps = await client.beta.threads.runs.steps.list(run.id, {
        thread_id: thread.id,
        order: 'asc',
      });
      expect(steps.data.map((step) => [step.type, step.status])).toEqual([
        ['message_creation', 'failed'],
        ['message_creation', 'completed'],
      ]);
      expect(steps.data[0]!.last_error).toMatchObject({ code: 'server_error' });
      const events = await fetch(`${second.baseURL}/threads/${thread.id}/runs/${run.id}/events`, {
        headers: { authorization: 'Bearer x' },
      }).then((response) => response.text());
      const ids = [...events.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
      expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1));
      expect(events).toContain('event: thread.run.step.failed');
      expect(events.trimEnd().endsWith('data: [DONE]')).toBe(true);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);

  it('drains on SIGTERM: the running run finishes before the process exits', async () => {
    const server = await startServerProcess(environment('drain'));
    upstream.respondWith(() => ({ text: 'steady '.repeat(30), chunkDelayMs: 20 }));
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'x', maxRetries: 0 });
    const { thread, run } = await startRun(client);
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    expect(exit.code).toBe(0);

    const after = await startServerProcess(environment('drain'));
    try {
      const done = await new OpenAI({
        baseURL: after.baseURL,
        apiKey: 'x',
      }).beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
      expect(done.status).toBe('completed');
    } finally {
      after.child.kill('SIGTERM');
      await after.exited;
    }
  }, 60_000);

  it('hands the run back when the drain time is up, and the next server finishes it', async () => {
    const server = await startServerProcess(
      environment('handback', { CONCIERGE_DRAIN_SECONDS: '0' }),
    );
    const before = upstream.requests.length;
    upstream.respondWith((_body, index) =>
      index === before
        ? { text: 'slow '.repeat(200), chunkDelayMs: 20 }
        : { text: 'Finished by the next server.' },
    );
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'x', maxRetries: 0 });
    const { thread, run } = await startRun(client);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    const next = await startServerProcess(environment('handback'));
    try {
      const nextClient = new OpenAI({ baseURL: next.baseURL, apiKey: 'x' });
      const done = await waitForRun(
        nextClient,
        thread.id,
        run.id,
        (current) => current.status === 'completed',
        10_000,
      );
      expect(done.status).toBe('completed');
      expect(upstream.requests.length - before).toBe(2);
      const messages = await nextClient.beta.threads.messages.list(thread.id);
      expect(messages.data.filter((message) => message.role === 'assistant')).toHaveLength(1);
    } finally {
      next.child.kill('SIGTERM');
      await next.exited;
    }
  }, 60_000);
});

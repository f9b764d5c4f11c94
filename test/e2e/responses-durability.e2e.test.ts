/**
 * A background response survives its server's SIGKILL as a run does: the next server takes the run
 * over when its lease lapses, and the response completes with one complete answer and a gap-free,
 * resumable event stream. On SQLite, and on PostgreSQL (where the second server is another node on
 * the same database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { dropSchema, newSchemaName, postgresTestUrl } from '../helpers/postgres.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { freePort, startServerProcess } from '../helpers/server-process.ts';

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(testDatabases)('a background response across a process death (%s)', (database) => {
  const schema = newSchemaName();
  let upstream: ScriptedModel;
  let directory: string;

  function databaseUrl(): string {
    if (database === 'sqlite') return `sqlite:${join(directory, 'kill.db')}`;
    const url = new URL(postgresTestUrl);
    url.searchParams.set('schema', schema);
    return url.toString();
  }

  beforeAll(async () => {
    upstream = await startScriptedModel();
    directory = mkdtempSync(join(tmpdir(), 'concierge-responses-durability-'));
  });
  afterAll(async () => {
    await upstream.stop();
    if (database === 'postgres') await dropSchema(schema);
    rmSync(directory, { recursive: true, force: true });
  });

  it('is taken over after SIGKILL: one complete answer, a gap-free stream', async () => {
    const port = String(await freePort());
    const environment = {
      CONCIERGE_DATABASE_URL: databaseUrl(),
      CONCIERGE_DATA_DIR: join(directory, 'kill'),
      CONCIERGE_PROVIDER_BASE_URL: upstream.url,
      CONCIERGE_LEASE_SECONDS: '2',
      PORT: port,
    };
    const first = await startServerProcess(environment);
    const firstRequest = upstream.requests.length;
    upstream.respondWith((_body, index) =>
      index === firstRequest
        ? { text: 'partial '.repeat(200), chunkDelayMs: 20 }
        : { text: 'The complete answer.' },
    );
    const client = new OpenAI({ baseURL: first.baseURL, apiKey: 'x', maxRetries: 0 });
    const queued = await client.responses.create({
      model: 'gpt-4o',
      input: 'A long answer, please.',
      background: true,
    });
    await waitFor(
      () => client.responses.retrieve(queued.id),
      (response) => response.output_text.length > 20,
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startServerProcess(environment);
    try {
      const done = await waitFor(
        () => client.responses.retrieve(queued.id),
        (response) => response.status === 'completed',
      );
      const complete = done.output.filter(
        (item) => item.type === 'message' && item.status === 'completed',
      );
      expect(complete).toHaveLength(1);
      expect(done.output_text.endsWith('The complete answer.')).toBe(true);
      // The interrupted message keeps its place, marked incomplete.
      expect(done.output.map((item) => (item as { status: string }).status)).toEqual([
        'incomplete',
        'completed',
      ]);
      const events: any[] = [];
      for await (const event of await client.responses.retrieve(queued.id, { stream: true }))
        events.push(event);
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
      expect(events.at(-1).type).toBe('response.completed');
      expect(events.at(-1).response.output).toEqual(done.output);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);
});

/**
 * One node on PostgreSQL whose every database connection (the pool's and the LISTEN one) is ended by
 * the server with `pg_terminate_backend`, as a restart or a failover would: the requests that follow,
 * in a row and in parallel, all succeed (none meets a dead pooled connection as a 5xx), a run in flight
 * completes with one answer, and the stream of a new run still arrives. The SDK clients make no
 * retries of their own, so any 5xx would fail the test. A database that is really gone (its port
 * closed, behind a proxy the test controls) gets a 503 with `Retry-After`, and the node serves again
 * once it is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import {
  dropSchema,
  newSchemaName,
  postgresAvailable,
  postgresDeploymentUrl,
  postgresTestUrl,
} from '../helpers/postgres.ts';
import { startRun, waitForRun } from '../helpers/run-test-bed.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';

const POOL_SIZE = 4;

describe.runIf(postgresAvailable)('database connections lost under a node', () => {
  const schema = newSchemaName();
  const applicationName = `concierge_${schema}`;
  let directory: string;
  let upstream: ScriptedModel;
  let app: App;
  let client: OpenAI;
  let admin: pg.Client;
  let assistantId: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-connection-loss-'));
    upstream = await startScriptedModel();
    const config = ConfigSchema.parse({
      port: 0,
      logLevel: 'silent',
      dataDir: directory,
      embeddingModel: 'none',
      apiKey: 'sk-connection-loss',
      providerBaseUrl: upstream.url,
      databaseUrl: postgresDeploymentUrl(schema, applicationName),
      databasePoolSize: POOL_SIZE,
    });
    app = await createApp(config, { logger: false });
    client = new OpenAI({
      baseURL: await app.listen(),
      apiKey: 'sk-connection-loss',
      maxRetries: 0,
    });
    admin = new pg.Client({ connectionString: postgresTestUrl });
    await admin.connect();
    assistantId = (await client.beta.assistants.create({ model: 'gpt-4o', name: 'Loss' })).id;
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.stop();
    await admin?.end();
    await dropSchema(schema);
    rmSync(directory, { recursive: true, force: true });
  });

  /** Fills the pool with idle connections, then ends every connection of the node. */
  async function terminateEveryConnection(): Promise<void> {
    await Promise.all(
      Array.from({ length: POOL_SIZE * 2 }, () => client.beta.assistants.retrieve(assistantId)),
    );
    const ended = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    // The LISTEN connection and the pool's (as many as the burst opened).
    expect(ended.rowCount).toBeGreaterThanOrEqual(2);
  }

  it('answers requests in a row and in parallel after every connection was terminated', async () => {
    await terminateEveryConnection();
    const thread = await client.beta.threads.create();
    for (let index = 0; index < POOL_SIZE + 2; index += 1)
      await client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: `In a row ${index}`,
      });
    await client.beta.assistants.retrieve(assistantId);

    await terminateEveryConnection();
    const parallel = Array.from({ length: POOL_SIZE * 3 }, (_, index) =>
      client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: `Parallel ${index}`,
      }),
    );
    const listed = Array.from({ length: POOL_SIZE }, () =>
      client.beta.threads.messages.list(thread.id, { limit: 100 }),
    );
    await Promise.all([...parallel, ...listed]);
    const messages = await client.beta.threads.messages.list(thread.id, { limit: 100 });
    // Every message once: none lost, none written twice.
    expect(messages.data).toHaveLength(POOL_SIZE + 2 + POOL_SIZE * 3);
  });

  it('completes a run in flight and streams a new one after every connection was terminated', async () => {
    upstream.respondWith(() => ({ text: 'one two three four five six', chunkDelayMs: 40 }));
    const inFlight = await startRun(client, assistantId, 'Keep going.');
    await terminateEveryConnection();
    const finished = await waitForRun(
      client,
      inFlight.thread_id,
      inFlight.id,
      (run) => !['queued', 'in_progress'].includes(run.status),
      30_000,
    );
    expect(finished.status).toBe('completed');
    const messages = await client.beta.threads.messages.list(inFlight.thread_id);
    expect(messages.data.filter((message) => message.role === 'assistant')).toHaveLength(1);

    await terminateEveryConnection();
    upstream.respondWith(() => ({ text: 'Back to normal.' }));
    const thread = await client.beta.threads.create();
    const run = await client.beta.threads.runs
      .stream(thread.id, { assistant_id: assistantId })
      .finalRun();
    expect(run.status).toBe('completed');
  }, 60_000);

  it('answers a 503 with Retry-After while the database is down, and serves again once it is back', async () => {
    const target = new URL(postgresTestUrl);
    const proxy = await startProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(postgresTestUrl);
    url.host = `127.0.0.1:${proxy.port}`;
    url.searchParams.set('schema', schema);
    const proxied = await createApp(
      ConfigSchema.parse({
        port: 0,
        logLevel: 'silent',
        dataDir: join(directory, 'proxied'),
        embeddingModel: 'none',
        apiKey: 'sk-connection-loss',
        databaseUrl: url.toString(),
        databasePoolSize: POOL_SIZE,
        worker: false,
      }),
      { logger: false },
    );
    try {
      const baseURL = await proxied.listen();
      const read = () =>
        fetch(`${baseURL}/assistants/${assistantId}`, {
          headers: { authorization: 'Bearer sk-connection-loss', 'openai-beta': 'assistants=v2' },
        });
      expect((await read()).status).toBe(200);
      await proxy.down();
      const down = await read();
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('1');
      expect(await down.json()).toEqual({
        error: {
          message: 'The database is not reachable right now; please retry the request.',
          type: 'server_error',
          param: null,
          code: 'database_unavailable',
        },
      });
      await proxy.up();
      expect((await read()).status).toBe(200);
    } finally {
      await proxied.close();
      await proxy.down();
    }
  });
});

/** A TCP proxy to the database that the test can take down (port closed, connections cut) and back up. */
async function startProxy(host: string, port: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (on: number) =>
    new Promise<number>((resolve) => {
      server = createServer((socket) => {
        const upstream = connect(port, host);
        for (const end of [socket, upstream]) {
          sockets.add(end);
          end.on('close', () => sockets.delete(end));
          end.on('error', () => {});
        }
        socket.pipe(upstream).pipe(socket);
      });
      server.listen(on, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });
  const opened = await listen(0);
  return {
    port: opened,
    async down() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => closing.close(resolve));
    },
    async up() {
      await listen(opened);
    },
  };
}

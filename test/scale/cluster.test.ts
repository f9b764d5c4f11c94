/**
 * Scale-out with real processes on loopback and a real PostgreSQL: two API nodes (`serve --no-worker`)
 * and two workers (`concierge worker`), each worker calling its own scripted upstream so the tests can
 * tell which worker ran what. Runs spread, stream across nodes, survive a SIGKILLed worker and
 * terminated database connections, cancel and expire once, and a bounded soak shows no growth. File
 * bytes live in S3 (s3rver on loopback): each process has its own data directory, nothing is shared
 * on disk.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropSchema,
  newSchemaName,
  postgresAvailable,
  postgresDeploymentUrl,
  postgresTestUrl,
} from '../helpers/postgres.ts';
import { startRun, waitForRun } from '../helpers/run-test-bed.ts';
import { startS3Server, type S3Server } from '../helpers/s3-server.ts';
import {
  startScriptedModel,
  type ScriptedModel,
  type ScriptedTurn,
} from '../helpers/scripted-model.ts';
import {
  startServerProcess,
  startWorkerProcess,
  type ServerProcess,
} from '../helpers/server-process.ts';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete']);

/** Polls the run through `client` until it has ended. */
const waitForEnd = (client: OpenAI, run: OpenAI.Beta.Threads.Run, timeoutMs: number) =>
  waitForRun(client, run.thread_id, run.id, (current) => TERMINAL.has(current.status), timeoutMs);

interface SseFrame {
  id: number;
  event: string;
  data: string;
  /** When it arrived, relative to others (ms since the request). */
  at: number;
}

/** Reads a run's event stream from `baseURL` to its end, calling `onFrame` as frames arrive. */
async function readEvents(
  baseURL: string,
  threadId: string,
  runId: string,
  onFrame: (frame: SseFrame) => void = () => {},
  afterSeq = 0,
): Promise<SseFrame[]> {
  const started = Date.now();
  const headers: Record<string, string> = {
    authorization: 'Bearer x',
    'last-event-id': String(afterSeq),
  };
  const response = await fetch(`${baseURL}/threads/${threadId}/runs/${runId}/events`, { headers });
  expect(response.status).toBe(200);
  const frames: SseFrame[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      if (field('event') === 'done') continue;
      if (field('id') === undefined) continue;
      const frame = {
        id: Number(field('id')),
        event: field('event')!,
        data: field('data')!,
        at: Date.now() - started,
      };
      frames.push(frame);
      onFrame(frame);
    }
  }
  return frames;
}

function textOf(message: OpenAI.Beta.Threads.Message): string {
  return message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');
}

function words(count: number, word = 'alpha'): string {
  return Array.from({ length: count }, (_, index) => `${word}${index}`).join(' ');
}

/** The resident memory of a process, in bytes. */
function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((row) => row.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
}

function plainAnswer(): ScriptedTurn {
  return { text: 'ok' };
}

describe.runIf(postgresAvailable)(
  'a cluster: two API nodes and two workers on one PostgreSQL',
  () => {
    const schema = newSchemaName();
    const applicationName = `concierge_${schema}`;
    let directory: string;
    let s3: S3Server;
    let databaseUrl: string;
    const upstreams: ScriptedModel[] = [];
    const workers: ServerProcess[] = [];
    let nodeA: ServerProcess;
    let nodeB: ServerProcess;
    let clientA: OpenAI;
    let clientB: OpenAI;
    let admin: pg.Client;
    let assistantId: string;
    let respond: (body: any) => ScriptedTurn = plainAnswer;

    const common = () => ({
      CONCIERGE_DATABASE_URL: databaseUrl,
      // Blobs in S3, and a data directory of its own per process: no shared volume.
      ...s3.environment('cluster'),
      CONCIERGE_DATA_DIR: mkdtempSync(join(directory, 'node-')),
      CONCIERGE_LEASE_SECONDS: '2',
      CONCIERGE_DRAIN_SECONDS: '1',
      CONCIERGE_DATABASE_POOL_SIZE: '5',
      CONCIERGE_CODE_SANDBOX: 'off',
      // Keyword-only: this suite is about processes sharing work, not embeddings (~300 MB each).
      CONCIERGE_EMBEDDING_MODEL: 'none',
    });

    async function startWorker(index: number): Promise<ServerProcess> {
      return startWorkerProcess({
        ...common(),
        CONCIERGE_PROVIDER_BASE_URL: upstreams[index]!.url,
        CONCIERGE_WORKER_CONCURRENCY: '4',
      });
    }

    const processes = () => [nodeA, nodeB, ...workers];

    /** Fails with the output of any process of the cluster that is gone. */
    function expectAllAlive(): void {
      const gone = processes().filter(
        (process) => process.child.exitCode !== null || process.child.signalCode !== null,
      );
      expect(
        gone.map(
          (process) =>
            `exit ${process.child.exitCode ?? process.child.signalCode}:\n${process.output().slice(-4000)}`,
        ),
      ).toEqual([]);
    }

    async function connections(): Promise<number> {
      const result = await admin.query(
        'select count(*)::int as count from pg_stat_activity where application_name = $1',
        [applicationName],
      );
      return result.rows[0].count;
    }

    beforeAll(async () => {
      directory = mkdtempSync(join(tmpdir(), 'concierge-cluster-'));
      s3 = await startS3Server();
      databaseUrl = postgresDeploymentUrl(schema, applicationName);
      for (let index = 0; index < 2; index++) {
        const upstream = await startScriptedModel();
        upstream.respondWith((body) => respond(body));
        upstreams.push(upstream);
      }
      admin = new pg.Client({ connectionString: postgresTestUrl });
      await admin.connect();
      // The four processes start at once, racing to create the schema and migrate it.
      const started = await Promise.all([
        startServerProcess({ ...common(), CONCIERGE_PROVIDER_BASE_URL: upstreams[0]!.url }, [
          'serve',
          '--no-worker',
        ]),
        startServerProcess({ ...common(), CONCIERGE_PROVIDER_BASE_URL: upstreams[0]!.url }, [
          'serve',
          '--no-worker',
        ]),
        startWorker(0),
        startWorker(1),
      ]);
      [nodeA, nodeB] = started;
      workers.push(started[2]!, started[3]!);
      clientA = new OpenAI({ baseURL: nodeA.baseURL, apiKey: 'x', maxRetries: 0 });
      clientB = new OpenAI({ baseURL: nodeB.baseURL, apiKey: 'x', maxRetries: 0 });
      assistantId = (await clientA.beta.assistants.create({ model: 'gpt-4o', name: 'Cluster' })).id;
    }, 180_000);

    afterAll(async () => {
      for (const process of [nodeA, nodeB, ...workers]) {
        if (process && process.child.exitCode === null && process.child.signalCode === null) {
          process.child.kill('SIGTERM');
          await process.exited;
        }
      }
      for (const upstream of upstreams) await upstream.stop();
      await admin?.end();
      await dropSchema(schema);
      await s3?.stop();
      rmSync(directory, { recursive: true, force: true });
    }, 60_000);

    it('spreads runs across workers, and streams a run created on node A live through node B', async () => {
      respond = () => ({ text: words(20), chunkDelayMs: 15 });
      const before = upstreams.map((upstream) => upstream.requests.length);
      const runs = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          (index % 2 ? clientB : clientA).beta.threads.createAndRun({
            assistant_id: assistantId,
            thread: { messages: [{ role: 'user', content: `Run ${index}` }] },
          }),
        ),
      );
      const watched = runs[0]!;
      let statusAtFirstDelta: string | undefined;
      const frames = await readEvents(nodeB.baseURL, watched.thread_id, watched.id, (frame) => {
        if (frame.event === 'thread.message.delta' && statusAtFirstDelta === undefined) {
          statusAtFirstDelta = 'pending';
          void clientA.beta.threads.runs
            .retrieve(watched.id, { thread_id: watched.thread_id })
            .then((run) => (statusAtFirstDelta = run.status));
        }
      });
      expect(frames.map((frame) => frame.id)).toEqual(frames.map((_, index) => index + 1));
      expect(frames.at(-1)!.event).toBe('thread.run.completed');
      const streamed = frames
        .filter((frame) => frame.event === 'thread.message.delta')
        .map((frame) => JSON.parse(frame.data).delta.content[0].text.value)
        .join('');
      expect(streamed).toBe(words(20));

      const done = await Promise.all(runs.map((run) => waitForEnd(clientA, run, 30_000)));
      expect(done.map((run) => run.status)).toEqual(runs.map(() => 'completed'));
      // The first delta reached node B while the run was still going on a worker.
      expect(statusAtFirstDelta).toBe('in_progress');
      const handled = upstreams.map((upstream, index) => upstream.requests.length - before[index]!);
      // On failure, which runs' requests the upstreams saw (and how many they saw cut off).
      const seen = upstreams.map((upstream, index) => ({
        cutOff: upstream.abortedResponses,
        runs: upstream.requests
          .slice(before[index])
          .map((request) => JSON.stringify((request.body as any).messages?.at(-1)?.content)),
      }));
      expect(handled[0]! + handled[1]!, JSON.stringify(seen)).toBe(12);
      expect(handled[0]).toBeGreaterThan(0);
      expect(handled[1]).toBeGreaterThan(0);
    }, 60_000);

    it('streams through the SDK on an API node with no worker of its own', async () => {
      respond = () => ({ text: 'Served by a worker elsewhere.' });
      const thread = await clientB.beta.threads.create({
        messages: [{ role: 'user', content: 'Hello' }],
      });
      const stream = clientB.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
      const events: string[] = [];
      for await (const event of stream) events.push(event.event);
      expect(events[0]).toBe('thread.run.created');
      expect(events.at(-1)).toBe('thread.run.completed');
      expect(textOf((await stream.finalMessages())[0]!)).toBe('Served by a worker elsewhere.');
    }, 30_000);

    it('survives a worker SIGKILLed in the middle of 20 runs: every run completes once, with no duplicate messages or steps', async () => {
      respond = (body) => ({
        text: `Answer to ${body.messages.at(-1).content}: ${words(25, 'beta')}`,
        chunkDelayMs: 12,
      });
      const runs = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 ? clientB : clientA).beta.threads.createAndRun({
            assistant_id: assistantId,
            thread: { messages: [{ role: 'user', content: `question ${index}` }] },
          }),
        ),
      );
      const killedRequestsBefore = upstreams[0]!.requests.length;
      // Kill worker 0 once it is streaming answers.
      const deadline = Date.now() + 10_000;
      while (upstreams[0]!.requests.length === killedRequestsBefore && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      // The kill lands in the middle of worker 0's work, not before it.
      expect(upstreams[0]!.requests.length).toBeGreaterThan(killedRequestsBefore);
      await new Promise((resolve) => setTimeout(resolve, 100));
      workers[0]!.child.kill('SIGKILL');
      await workers[0]!.exited;
      try {
        await expectEveryRunCompletedOnce(runs);
      } finally {
        // The later tests need the whole cluster, whatever happened here.
        workers[0] = await startWorker(0);
      }
    }, 120_000);

    async function expectEveryRunCompletedOnce(runs: OpenAI.Beta.Threads.Run[]): Promise<void> {
      const done = await Promise.all(
        runs.map((run) =>
          waitForRun(
            clientB,
            run.thread_id,
            run.id,
            (current) => TERMINAL.has(current.status),
            60_000,
          ),
        ),
      );
      expect(done.map((run) => run.status)).toEqual(runs.map(() => 'completed'));
      for (const [index, run] of runs.entries()) {
        const messages = await clientA.beta.threads.messages.list(run.thread_id, { order: 'asc' });
        expect(messages.data.map((message) => [message.role, message.status])).toEqual([
          ['user', 'completed'],
          ['assistant', 'completed'],
        ]);
        expect(textOf(messages.data[1]!)).toBe(`Answer to question ${index}: ${words(25, 'beta')}`);
        const steps = await clientA.beta.threads.runs.steps.list(run.id, {
          thread_id: run.thread_id,
        });
        expect(steps.data.filter((step) => step.status === 'completed')).toHaveLength(1);
        const frames = await readEvents(nodeA.baseURL, run.thread_id, run.id);
        expect(frames.map((frame) => frame.id)).toEqual(frames.map((_, position) => position + 1));
        expect(frames.filter((frame) => frame.event === 'thread.run.completed')).toHaveLength(1);
        expect(frames.filter((frame) => frame.event === 'thread.message.completed')).toHaveLength(
          1,
        );
      }
    }

    it('stops the upstream call on a worker when the run is cancelled through an API node', async () => {
      respond = () => ({ text: words(400, 'slow'), chunkDelayMs: 25 });
      const aborted = upstreams.reduce((sum, upstream) => sum + upstream.abortedResponses, 0);
      const run = await startRun(clientA, assistantId, 'Take your time.', { watcher: clientB });
      const cancelling = await clientB.beta.threads.runs.cancel(run.id, {
        thread_id: run.thread_id,
      });
      expect(cancelling.status).toBe('cancelling');
      const cancelled = await waitForEnd(clientA, run, 15_000);
      expect(cancelled.status).toBe('cancelled');
      const deadline = Date.now() + 5000;
      while (
        upstreams.reduce((sum, upstream) => sum + upstream.abortedResponses, 0) === aborted &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(upstreams.reduce((sum, upstream) => sum + upstream.abortedResponses, 0)).toBe(
        aborted + 1,
      );
    }, 40_000);

    it('holds one active run per thread across nodes', async () => {
      respond = () => ({ text: words(100, 'busy'), chunkDelayMs: 10 });
      const thread = await clientA.beta.threads.create({
        messages: [{ role: 'user', content: 'One at a time.' }],
      });
      const attempts = await Promise.allSettled([
        clientA.beta.threads.runs.create(thread.id, { assistant_id: assistantId }),
        clientB.beta.threads.runs.create(thread.id, { assistant_id: assistantId }),
      ]);
      const created = attempts.filter((attempt) => attempt.status === 'fulfilled');
      const refused = attempts.filter((attempt) => attempt.status === 'rejected');
      expect(created).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0]!.reason as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
      expect((refused[0]!.reason as Error).message).toMatch(/active/);
      const run = (created[0] as PromiseFulfilledResult<OpenAI.Beta.Threads.Run>).value;
      await clientB.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
      await waitForRun(
        clientA,
        thread.id,
        run.id,
        (current) => TERMINAL.has(current.status),
        15_000,
      );
    }, 30_000);

    it('expires a run left waiting for tool outputs once, not once per worker', async () => {
      respond = () => ({ toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] });
      const assistant = await clientA.beta.assistants.create({
        model: 'gpt-4o',
        tools: [
          {
            type: 'function',
            function: {
              name: 'lookup',
              parameters: { type: 'object', properties: { q: { type: 'string' } } },
            },
          },
        ],
      });
      const run = await startRun(clientB, assistant.id, 'Look it up.', {
        until: 'requires_action',
        watcher: clientA,
      });
      // Its deadline passes now (the cluster keeps the default expiry, so that no other test's queued
      // runs expire on a slow machine): both workers' sweeps find it.
      const now = Math.floor(Date.now() / 1000);
      const moved = await admin.query(
        `update "${schema}".runs set expires_at = $2::int,
           object = jsonb_set(object::jsonb, '{expires_at}', to_jsonb($2::int))::text
         where id = $1 and status = 'requires_action'`,
        [run.id, now],
      );
      expect(moved.rowCount).toBe(1);
      const expired = await waitForRun(
        clientA,
        run.thread_id,
        run.id,
        (current) => current.status === 'expired',
        30_000,
      );
      expect(expired.status).toBe('expired');
      // Both workers sweep every second; give a second sweep the chance to write a duplicate.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // A stream ends at requires_action; the client resumes after it (Last-Event-ID), here on the other node.
      const waiting = await readEvents(nodeB.baseURL, run.thread_id, run.id);
      expect(waiting.at(-1)!.event).toBe('thread.run.requires_action');
      const after = await readEvents(
        nodeA.baseURL,
        run.thread_id,
        run.id,
        () => {},
        waiting.at(-1)!.id,
      );
      expect(after.filter((frame) => frame.event === 'thread.run.expired')).toHaveLength(1);
      expect([...waiting, ...after].map((frame) => frame.id)).toEqual(
        [...waiting, ...after].map((_, index) => index + 1),
      );
    }, 60_000);

    it('ingests files on a worker: uploaded through node A, searchable and downloadable through node B', async () => {
      const file = await clientA.files.create({
        file: await toFile(
          Buffer.from('The cluster keeps its spare keys in the blue cabinet.\n'),
          'keys.txt',
        ),
        purpose: 'assistants',
      });
      const store = await clientB.vectorStores.create({ name: 'cluster', file_ids: [file.id] });
      const deadline = Date.now() + 20_000;
      let status = '';
      while (Date.now() < deadline) {
        status = (await clientA.vectorStores.files.retrieve(file.id, { vector_store_id: store.id }))
          .status;
        if (status !== 'in_progress') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe('completed');
      const results = await clientB.vectorStores.search(store.id, { query: 'spare keys cabinet' });
      expect(results.data[0]?.file_id).toBe(file.id);
      expect(await (await clientB.files.content(file.id)).text()).toBe(
        'The cluster keeps its spare keys in the blue cabinet.\n',
      );
      // The bytes crossed machines through the bucket: no process wrote a blob to its own disk.
      for (const node of readdirSync(directory)) {
        expect(existsSync(join(directory, node, 'blobs'))).toBe(false);
      }
    }, 40_000);

    it('recovers when every database connection of the cluster is terminated', async () => {
      respond = () => ({ text: words(30, 'steady'), chunkDelayMs: 15 });
      const inFlight = await startRun(clientA, assistantId, 'Keep going.');
      const terminated = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [applicationName],
      );
      // At least each process's LISTEN connection.
      expect(terminated.rowCount).toBeGreaterThanOrEqual(4);

      // No request meets a dead pooled connection as a 5xx: the server moves a statement that finds
      // its connection gone to a fresh one (these clients make no retries of their own).
      const finished = await waitForEnd(clientB, inFlight, 40_000);
      expect(finished.status).toBe('completed');
      const messages = await clientA.beta.threads.messages.list(inFlight.thread_id);
      expect(messages.data.filter((message) => message.role === 'assistant')).toHaveLength(1);
      expect(textOf(messages.data.find((message) => message.role === 'assistant')!)).toBe(
        words(30, 'steady'),
      );

      // Afterwards, a fresh run streams across nodes again.
      respond = () => ({ text: 'Back to normal.' });
      const thread = await clientA.beta.threads.create({
        messages: [{ role: 'user', content: 'Still there?' }],
      });
      const stream = clientA.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
      const run = await stream.finalRun();
      expect(run.status).toBe('completed');
      const frames = await readEvents(nodeB.baseURL, thread.id, run.id);
      expect(frames.at(-1)!.event).toBe('thread.run.completed');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expectAllAlive();
    }, 120_000);

    it('soaks under mixed traffic with no growth in memory or open connections', async () => {
      const seconds = Number(process.env['CONCIERGE_SOAK_SECONDS'] ?? 30);
      const tools = [
        {
          type: 'function' as const,
          function: {
            name: 'add',
            parameters: { type: 'object', properties: { a: { type: 'number' } } },
          },
        },
      ];
      const toolAssistant = await clientA.beta.assistants.create({ model: 'gpt-4o', tools });
      respond = (body) => {
        const last = body.messages.at(-1);
        if (last.role === 'tool') return { text: `Sum is ${last.content}.` };
        if (String(last.content).startsWith('add'))
          return { toolCalls: [{ name: 'add', arguments: { a: 1 } }] };
        return { text: words(15, 'soak'), chunkDelayMs: 2 };
      };
      let errors = 0;
      let completed = 0;
      async function oneRound(client: OpenAI, index: number): Promise<void> {
        const thread = await client.beta.threads.create({
          messages: [{ role: 'user', content: index % 3 === 0 ? 'add one' : 'chat' }],
          metadata: { round: String(index) },
        });
        if (index % 3 === 0) {
          const run = await client.beta.threads.runs.createAndPoll(
            thread.id,
            { assistant_id: toolAssistant.id },
            { pollIntervalMs: 50 },
          );
          const call = run.required_action!.submit_tool_outputs.tool_calls[0]!;
          const stream = client.beta.threads.runs.submitToolOutputsStream(run.id, {
            thread_id: thread.id,
            tool_outputs: [{ tool_call_id: call.id, output: '2' }],
          });
          if ((await stream.finalRun()).status === 'completed') completed += 1;
        } else {
          const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
          if ((await stream.finalRun()).status === 'completed') completed += 1;
        }
        await client.beta.threads.messages.list(thread.id, { limit: 5 });
        await client.beta.assistants.list({ limit: 5 });
        await client.beta.threads.delete(thread.id);
      }
      async function traffic(until: number): Promise<void> {
        let index = 0;
        await Promise.all(
          Array.from({ length: 6 }, async (_, lane) => {
            while (Date.now() < until) {
              index += 1;
              await oneRound(lane % 2 ? clientB : clientA, index).catch(() => (errors += 1));
            }
          }),
        );
      }
      // Warm up (JIT, pools, caches), then measure from there.
      await traffic(Date.now() + Math.min(10, seconds / 3) * 1000);
      expectAllAlive();
      const memoryBefore = processes().map((process) => residentBytes(process.child.pid!));
      const connectionsBefore = await connections();
      const completedBefore = completed;
      await traffic(Date.now() + seconds * 1000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expectAllAlive();
      const memoryAfter = processes().map((process) => residentBytes(process.child.pid!));
      const connectionsAfter = await connections();

      expect(errors).toBe(0);
      expect(completed - completedBefore).toBeGreaterThan(20);
      // Pools are bounded: 5 per process plus the LISTEN connection.
      expect(connectionsAfter).toBeLessThanOrEqual(4 * 6);
      expect(connectionsAfter).toBeLessThanOrEqual(Math.max(connectionsBefore, 4) + 4);
      for (const [index, before] of memoryBefore.entries()) {
        // Garbage collection makes RSS move; a leak of a fraction of each round would show as steady growth well past this.
        expect(
          memoryAfter[index]!,
          `process ${index} RSS ${before} → ${memoryAfter[index]}`,
        ).toBeLessThan(before * 1.35 + 24 * 1024 * 1024);
      }
    }, 300_000);
  },
);

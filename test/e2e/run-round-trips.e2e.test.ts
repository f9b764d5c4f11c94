/**
 * A structural guard on what one plain streamed run costs each node of a PostgreSQL deployment in
 * round trips: an API node (no worker) and a worker node on one schema, the stream on the API node,
 * the run on the worker, as `concierge serve --no-worker` and `concierge worker` deploy it. It counts
 * the statements each node sends (pg's client, by the connection's `application_name`), not time.
 * The worker's claim is left out with its other upkeep (it also runs on timers); it reads the run's
 * last seq and, for a run that never started, its thread's messages: the worker reads neither again.
 *
 * Every write that stores events announces them itself, after its commit and in its own round trip
 * (`storage/postgres/write-then-notify.ts`): neither node sends a NOTIFY statement of its own for a
 * run. The API node reads the assistant and stores the creation; its stream reads nothing back (the
 * creation hands it its first events, the notifications carry the rest). After its first run it
 * takes the assistant from its cache, the creation checking the assistant's version, so it sends only
 * the creation.
 */
import type OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../helpers/postgres.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { startTwoNodes, type TwoNodes } from '../helpers/two-nodes.ts';

/** The worker's upkeep on timers (polling claims, lease renewal, the expiry sweep, ingestion). */
const UPKEEP = [
  /^update "runs" set "locked_by" = \?, "lease_until" = \? where "id" = \(select "candidate"/,
  /^update "runs" set "lease_until" = \? where "id" in/,
  /^select \* from "runs" where "status" in \(\?, \?\) and "expires_at" <= \?/,
  /^\s*update vector_store_files\s+set lease_owner/,
];

/** What a node sent while recording, by `application_name`: each statement, `announced` marked. */
const sent = new Map<string, string[]>();
/** How many notifications each announced write of a node carried, in order. */
const notificationsSent = new Map<string, number[]>();
let recording = false;

const clientPrototype = pg.Client.prototype as unknown as Record<
  string,
  (...args: unknown[]) => unknown
>;
const originalQuery = clientPrototype['query']!;
clientPrototype['query'] = function (
  this: { connectionParameters?: { application_name?: string } },
  ...args: unknown[]
) {
  const [query] = args;
  const node = this.connectionParameters?.application_name ?? '';
  if (recording && (node === 'api-node' || node === 'worker-node')) {
    const text = typeof query === 'string' ? query : String((query as { text?: unknown }).text);
    const statement = text.replace(/\$\d+/g, '?').replace(/\s+/g, ' ').trim();
    // A batch of statements sent as one (storage/postgres/write-then-notify.ts): one round trip.
    const batch = typeof query === 'object' && 'announces' in (query as object);
    const announced = batch && (query as { announces: number }).announces > 0;
    if (!UPKEEP.some((pattern) => pattern.test(statement))) {
      if (announced)
        notificationsSent.set(node, [
          ...(notificationsSent.get(node) ?? []),
          (query as { announces: number }).announces,
        ]);
      const list = sent.get(node) ?? [];
      const mark = announced ? 'announced: ' : batch ? 'batched: ' : '';
      list.push(`${mark}${statement.slice(0, 60)}`);
      sent.set(node, list);
    }
  }
  return originalQuery.apply(this, args);
};

/** A statement's kind, for the expected lists. */
function kind(statement: string): string {
  if (statement.startsWith('select pg_notify')) return 'notify';
  if (statement.startsWith('announced: insert into "run_events"')) return 'announced token batch';
  if (statement.startsWith('announced: with updated as (update "runs"'))
    return 'announced status change';
  if (statement.startsWith('announced: with written0 as (insert into "threads"'))
    return 'announced creation';
  // The same, checking the version of the assistant it took from the cache.
  if (statement.startsWith('announced: with required as (select 1 from "assistants"'))
    return 'announced creation';
  // A write without a status change, made only while the worker holds the run: its `held` check
  // comes first (see held-statement.ts); in a plain run, the message's opening.
  if (statement.startsWith('announced: with held as (select 1 from "runs"'))
    return 'announced message opening';
  if (statement.startsWith('select * from "assistants"')) return 'assistant read';
  if (statement.startsWith('select * from "messages"')) return 'messages read';
  if (statement.startsWith('select max("seq")')) return 'last seq read';
  return statement;
}

describe.skipIf(!postgresAvailable)(
  'the round trips of one streamed run, by node (PostgreSQL)',
  () => {
    let upstream: ScriptedModel;
    let nodes: TwoNodes;
    let api: OpenAI;
    let assistantId: string;

    beforeAll(async () => {
      upstream = await startScriptedModel();
      nodes = await startTwoNodes(upstream.url);
      api = nodes.api;
      assistantId = (await api.beta.assistants.create({ model: 'gpt-4o' })).id;
    });
    afterAll(async () => {
      clientPrototype['query'] = originalQuery;
      await nodes?.close();
      await upstream?.stop();
    });

    async function oneRun(): Promise<{
      api: string[];
      worker: string[];
      apiNotifications: number[];
    }> {
      // Three tokens apart in time: the first opens the message, the others are token batches.
      upstream.enqueue({
        chunks: ['Hello', ' there,', ' world!'],
        chunkDelayMs: 40,
        usage: { prompt_tokens: 5, completion_tokens: 3 },
      });
      sent.clear();
      notificationsSent.clear();
      recording = true;
      try {
        const stream = api.beta.threads.createAndRunStream({
          assistant_id: assistantId,
          thread: { messages: [{ role: 'user', content: 'Hi' }] },
        });
        let text = '';
        stream.on('textDelta', (delta) => (text += delta.value ?? ''));
        const run = await stream.finalRun();
        expect(run.status).toBe('completed');
        expect(text).toBe('Hello there, world!');
        // The worker's last write may land after the client read the final event.
        for (let attempt = 0; attempt < 200 && nodes.workerNode.worker!.active > 0; attempt++)
          await new Promise((resolve) => setTimeout(resolve, 5));
        return {
          api: [...(sent.get('api-node') ?? [])],
          worker: [...(sent.get('worker-node') ?? [])],
          apiNotifications: [...(notificationsSent.get('api-node') ?? [])],
        };
      } finally {
        recording = false;
      }
    }

    it('sends each write with its notifications in one round trip, and no NOTIFY of its own', async () => {
      await oneRun(); // the first run warms what is cached per process
      const { api: apiStatements, worker, apiNotifications } = await oneRun();
      const detail = JSON.stringify({ api: apiStatements, worker }, null, 2);
      // The assistant comes from the node's cache (the first run read it): the creation's statement
      // checks its version (storage/postgres/assistant-versions.test.ts).
      expect(apiStatements.map(kind), detail).toEqual(['announced creation']);
      // The creation announces the workers' wake-up only: the new run's first events go to no
      // other process (none can follow a run before its creation returns its id).
      expect(apiNotifications).toEqual([1]);
      const batches = worker.map(kind).filter((name) => name === 'announced token batch');
      // The deltas after the first: one batch each, or fewer when they meet in one turn of the loop.
      expect(batches.length, detail).toBeGreaterThanOrEqual(1);
      expect(batches.length, detail).toBeLessThanOrEqual(2);
      expect(
        worker.map(kind).filter((name) => name !== 'announced token batch'),
        detail,
      ).toEqual([
        'announced status change', // in_progress
        'announced message opening', // the message, its step and the first token
        'announced status change', // the end: message and step closed, usage, completed
      ]);
    });

    it("posts a message in one round trip, its thread's lock and its insert in one batch", async () => {
      const thread = await api.beta.threads.create({});
      sent.clear();
      recording = true;
      try {
        await api.beta.threads.messages.create(thread.id, { role: 'user', content: 'Hi' });
      } finally {
        recording = false;
      }
      // `begin`, the lock, the insert and `commit`: one query object, one Sync.
      expect(sent.get('api-node')).toEqual([
        'batched: insert into "messages" ("id", "project_id", "thread_id", "cr',
      ]);
    });

    it('hands the worker the thread as its claim read it: every message, in order', async () => {
      const thread = await api.beta.threads.create({
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'second' },
          { role: 'user', content: 'third' },
        ],
      });
      upstream.enqueue({ chunks: ['Done.'] });
      const run = await api.beta.threads.runs
        .stream(thread.id, { assistant_id: assistantId })
        .finalRun();
      expect(run.status).toBe('completed');
      const messages = (
        upstream.lastRequest as { messages: Array<{ role: string; content: unknown }> }
      ).messages;
      expect(messages.map((message) => [message.role, JSON.stringify(message.content)])).toEqual([
        ['user', JSON.stringify('first')],
        ['assistant', JSON.stringify('second')],
        ['user', JSON.stringify('third')],
      ]);
    });
  },
);

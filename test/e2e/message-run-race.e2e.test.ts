/**
 * A message posted to a thread while a run is being created on it, on two nodes sharing PostgreSQL:
 * OpenAI refuses a message while a run is active, so each post either is refused (400) or was stored
 * before the run, whose first model request then carries it. Under READ COMMITTED, a message's insert
 * whose snapshot predates the run's commit, and which commits after the run's worker read the thread,
 * was accepted and left out of the run.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, postgresTestUrl } from '../helpers/postgres.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { startTwoNodes, type TwoNodes } from '../helpers/two-nodes.ts';

const THREADS = 16;
const ROUNDS = 4;

describe.skipIf(!postgresAvailable).each([
  ['in one statement', {}],
  // A limit to check under a row lock: the run's creation is a transaction.
  ['in a transaction', { projectConcurrentRuns: 1000 }],
])(
  'a message posted as a run is created on its thread, the run stored %s',
  (_storedIn, settings) => {
    let upstream: ScriptedModel;
    let nodes: TwoNodes;
    let workerApi: OpenAI;
    let answered: Promise<void> = Promise.resolve();

    beforeAll(async () => {
      upstream = await startScriptedModel();
      // Each run stays active until its round's posts are all answered (see `release`).
      upstream.respondWith(() => ({ text: 'ok', gate: answered }));
      nodes = await startTwoNodes(upstream.url, settings);
      const address = nodes.workerNode.server.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      // Each message's insert takes a while after its statement's snapshot, as on a loaded server:
      // the window in which a run's commit went unseen, wide enough to be met on every run.
      const client = new pg.Client({ connectionString: postgresTestUrl });
      await client.connect();
      try {
        const schema = `"${nodes.schema}"`;
        await client.query(
          `create function ${schema}.slow_insert() returns trigger language plpgsql as ` +
            `$$ begin perform pg_sleep(0.03); return new; end $$`,
        );
        await client.query(
          `create trigger slow_insert before insert on ${schema}.messages ` +
            `for each row execute function ${schema}.slow_insert()`,
        );
      } finally {
        await client.end();
      }
      workerApi = new OpenAI({
        baseURL: `http://127.0.0.1:${port}/v1`,
        apiKey: 'x',
        maxRetries: 0,
      });
    });
    afterAll(async () => {
      await nodes?.close();
      await upstream?.stop();
    });

    it('is refused, or stored before the run and read by it, on every thread', async () => {
      const { api } = nodes;
      // Names no other test's run carries (this file's two variants share a process; a variant
      // timed out under load goes on in the background): a run's request is found by its own.
      const tag = randomUUID().slice(0, 8);
      const assistant = await api.beta.assistants.create({ model: 'gpt-4o' });
      let acceptedInAll = 0;
      for (let round = 0; round < ROUNDS; round++) {
        let release!: () => void;
        answered = new Promise((resolve) => (release = resolve));
        const threads = await Promise.all(
          Array.from({ length: THREADS }, (_, index) =>
            api.beta.threads.create({
              messages: [{ role: 'user', content: `first-${tag}-${round}-${index}` }],
            }),
          ),
        );
        // Runs through the worker's node (its worker reads the thread at once); messages through the
        // API node, posted back to back by two posters per thread until one is refused, so posts are
        // in flight as each run commits. All threads at once.
        const outcomes = await Promise.all(
          threads.map(async (thread, index) => {
            const accepted: string[] = [];
            const refusals: unknown[] = [];
            let posts = 0;
            let settled = false;
            const poster = async () => {
              // Until refused (or, should the run's creation fail, past it).
              for (let late = false; refusals.length === 0 && !late;) {
                late = settled;
                const marker = `late-${tag}-${round}-${index}-${posts++}`;
                try {
                  await api.beta.threads.messages.create(thread.id, {
                    role: 'user',
                    content: `${marker} `,
                  });
                  accepted.push(marker);
                } catch (error) {
                  refusals.push(error);
                }
              }
            };
            const creation = workerApi.beta.threads.runs
              .create(thread.id, {
                assistant_id: assistant.id,
                additional_instructions: `seed-${tag}-${round}-${index}`,
              })
              .finally(() => (settled = true));
            const [run] = await Promise.allSettled([creation, poster(), poster()]);
            return { thread, index, accepted, refusals, run };
          }),
        );
        release();
        const waits = outcomes.map(async ({ thread, run }) => {
          expect(run.status).toBe('fulfilled');
          const created = (run as PromiseFulfilledResult<OpenAI.Beta.Threads.Run>).value;
          for (;;) {
            const current = await api.beta.threads.runs.retrieve(created.id, {
              thread_id: thread.id,
            });
            if (current.status === 'completed') return;
            expect(['queued', 'in_progress']).toContain(current.status);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        });
        await Promise.all(waits);
        for (const { index, accepted, refusals } of outcomes) {
          acceptedInAll += accepted.length;
          const seed = `seed-${tag}-${round}-${index}`;
          const first = upstream.requests.find((request) =>
            JSON.stringify(request.body.messages[0]).includes(`${seed}"`),
          );
          expect(first, seed).toBeDefined();
          const read = JSON.stringify(first!.body.messages);
          // Each accepted message was stored before the run, which read it.
          const unread = accepted.filter((marker) => !read.includes(`"${marker} `));
          expect(unread, `accepted, missing from ${seed}'s first request`).toEqual([]);
          expect(refusals.length).toBeGreaterThan(0);
          for (const refusal of refusals)
            expect((refusal as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
        }
      }
      // Both outcomes met: posts before the runs and after.
      expect(acceptedInAll).toBeGreaterThan(0);
    }, 300_000);
  },
);

/**
 * An API node takes a run's assistant from its cache (PostgreSQL), and the run's insert checks the
 * assistant's version: a run created after the assistant changed or went away on another node is
 * built from the assistant as it is now, or answers its 404, as when every creation read it.
 */
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, postgresTestUrl } from '../helpers/postgres.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { startTwoNodes, type TwoNodes } from '../helpers/two-nodes.ts';

describe.skipIf(!postgresAvailable)('a run after its assistant changed on another node', () => {
  let upstream: ScriptedModel;
  let nodes: TwoNodes;
  /** Clients of the API node (which caches) and of the other node. */
  let api: OpenAI;
  let other: OpenAI;

  beforeAll(async () => {
    upstream = await startScriptedModel();
    nodes = await startTwoNodes(upstream.url);
    api = nodes.api;
    other = new OpenAI({ baseURL: nodes.workerUrl, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    await nodes?.close();
    await upstream?.stop();
  });

  async function threadCount(): Promise<number> {
    const client = new pg.Client({ connectionString: postgresTestUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select count(*)::int as n from "${nodes.schema}".threads`,
      );
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  }

  const createAndRun = (assistantId: string) =>
    api.beta.threads.createAndRun({
      assistant_id: assistantId,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });

  it('is built from the assistant as it is now, on a new thread and on an existing one', async () => {
    const assistant = await api.beta.assistants.create({ model: 'gpt-4o', instructions: 'first' });
    expect((await createAndRun(assistant.id)).instructions).toBe('first'); // cached now
    await other.beta.assistants.update(assistant.id, {
      instructions: 'second',
      model: 'gpt-4o-mini',
    });
    const run = await createAndRun(assistant.id);
    expect([run.instructions, run.model]).toEqual(['second', 'gpt-4o-mini']);
    expect((await api.beta.threads.runs.retrieve(run.id, { thread_id: run.thread_id })).model).toBe(
      'gpt-4o-mini',
    );

    await other.beta.assistants.update(assistant.id, { instructions: 'third' });
    const thread = await api.beta.threads.create({});
    const onThread = await api.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    expect(onThread.instructions).toBe('third');
  });

  it('answers 404 once the assistant was deleted on another node, storing no thread', async () => {
    const assistant = await api.beta.assistants.create({ model: 'gpt-4o' });
    await createAndRun(assistant.id); // cached now
    await other.beta.assistants.delete(assistant.id);
    const threadsBefore = await threadCount();
    const refused = await createAndRun(assistant.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    expect((refused as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({
      param: 'assistant_id',
    });
    expect(await threadCount()).toBe(threadsBefore);
  });

  it('creates runs in parallel with an update: every run after it sees it', async () => {
    const assistant = await api.beta.assistants.create({ model: 'gpt-4o', instructions: 'old' });
    await createAndRun(assistant.id); // cached now
    const during = Array.from({ length: 8 }, () => createAndRun(assistant.id));
    await other.beta.assistants.update(assistant.id, { instructions: 'new' });
    const after = await Promise.all(Array.from({ length: 8 }, () => createAndRun(assistant.id)));
    for (const run of await Promise.all(during)) expect(['old', 'new']).toContain(run.instructions);
    expect(after.map((run) => run.instructions)).toEqual(Array(8).fill('new'));
  });
});

/**
 * The engine's entry point as a second API surface would use it: no HTTP, inputs in domain terms. A run
 * is started with a new thread, followed through its events, cancelled, and the one-active-run rule
 * holds under truly parallel starts, on both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test/helpers/databases.ts';
import { createTestPostgresStore, dropSchema } from '../../test/helpers/postgres.ts';
import type { Assistant } from '../domain/assistant.ts';
import { nowSeconds } from '../domain/clock.ts';
import { InvalidRequestError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { DEFAULT_PROJECT_ID } from '../domain/project.ts';
import type { RunEvent } from '../domain/run-event.ts';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.ts';
import type { Store } from '../storage/store.ts';
import { createInProcessEventBus } from './event-bus/in-process-event-bus.ts';
import { createRunsEngine, type RunsEngine } from './runs-engine.ts';

const PROJECT = DEFAULT_PROJECT_ID;

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe.each(testDatabases)('RunsEngine (%s)', (database) => {
  let store: Store;
  let schema: string | undefined;
  let engine: RunsEngine;
  let assistant: Assistant;
  /** The `param` of every message the input checks saw. */
  const checkedMessages: string[] = [];

  beforeAll(async () => {
    if (database === 'postgres') ({ store, schema } = await createTestPostgresStore());
    else store = createSqliteStore(':memory:');
    await store.migrate();
    await store.projects.insert({
      id: PROJECT,
      object: 'organization.project',
      name: 'Default project',
      created_at: nowSeconds(),
      archived_at: null,
      status: 'active',
    });
    assistant = {
      id: newId('assistant'),
      object: 'assistant',
      created_at: nowSeconds(),
      name: 'helper',
      description: null,
      model: 'test-model',
      instructions: 'Be brief.',
      tools: [],
      tool_resources: {},
      metadata: {},
      temperature: null,
      top_p: null,
      response_format: null,
      reasoning_effort: null,
    };
    await store.assistants.insert(PROJECT, assistant);
    engine = createRunsEngine({
      store,
      bus: createInProcessEventBus(),
      inputs: {
        message: async (_transaction, _projectId, _threadId, _message, param) => {
          checkedMessages.push(param);
        },
        messageChecks: () => true,
        toolResources: async () => ({}),
      },
      runExpirySeconds: 600,
    });
  });

  afterAll(async () => {
    await store?.close();
    if (schema) await dropSchema(schema);
  });

  it('starts a run on a new thread: the run names its thread, and its events begin with thread.created', async () => {
    const { run, afterSeq } = await engine.createWithThread(
      PROJECT,
      { messages: [{ role: 'user', content: 'Hello' }], metadata: { source: 'test' } },
      { assistant, settings: { metadata: { surface: 'second' } } },
    );
    expect(afterSeq).toBe(0);
    expect(run).toMatchObject({ status: 'queued', assistant_id: assistant.id });
    expect(run.thread_id).toMatch(/^thread_/);
    expect(await store.runs.find(PROJECT, run.id)).toEqual(run);
    const thread = await store.threads.find(PROJECT, run.thread_id);
    expect(thread?.metadata).toEqual({ source: 'test' });
    const messages = await store.messages.listAll(PROJECT, run.thread_id);
    expect(messages.map((message) => message.content)).toEqual([
      [{ type: 'text', text: { value: 'Hello', annotations: [] } }],
    ]);
    expect(checkedMessages).toContain('messages[0].');

    // Cancelling a queued run ends its event stream; following from afterSeq 0 replays all of it.
    const cancelled = await engine.cancel(PROJECT, run.id);
    expect(cancelled.run.status).toBe('cancelled');
    const events = await collect(engine.events(run.id, 0, AbortSignal.timeout(5000)));
    expect(events.map((event) => event.event)).toEqual([
      'thread.created',
      'thread.run.created',
      'thread.run.queued',
      'thread.run.cancelled',
    ]);
    expect(JSON.parse(events[0]!.data)).toEqual(thread);
    // What followed the cancel is exactly what came after the seq it returned.
    expect(events.filter((event) => event.seq > cancelled.afterSeq).map((e) => e.event)).toEqual([
      'thread.run.cancelled',
    ]);
    await expect(engine.cancel(PROJECT, run.id)).rejects.toThrow(InvalidRequestError);
  });

  it('adds the given messages with the run, and refuses parallel starts on one thread but one', async () => {
    const thread = await engine.createThread(PROJECT, {});
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) =>
        engine.create(PROJECT, thread.id, {
          assistant,
          messages: [{ role: 'user', content: `attempt ${index}` }],
          messagesParam: 'additional_messages',
        }),
      ),
    );
    const won = attempts.flatMap((attempt) =>
      attempt.status === 'fulfilled' ? [attempt.value.run] : [],
    );
    expect(won).toHaveLength(1);
    const refusals = attempts.flatMap((attempt) =>
      attempt.status === 'rejected' ? [attempt.reason as unknown] : [],
    );
    expect(refusals.every((reason) => reason instanceof InvalidRequestError)).toBe(true);
    // Only the winner's message was stored; the losers' transactions left nothing behind.
    const messages = await store.messages.listAll(PROJECT, thread.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.created_at).toBe(won[0]!.created_at);
    expect(checkedMessages).toContain('additional_messages[0].');
    await engine.cancel(PROJECT, won[0]!.id);
  });

  it('refuses tool outputs for a run that is not waiting for them', async () => {
    const thread = await engine.createThread(PROJECT, {});
    const { run } = await engine.create(PROJECT, thread.id, { assistant });
    await expect(
      engine.submitToolOutputs(PROJECT, run.id, [{ tool_call_id: 'call_1', output: 'x' }]),
    ).rejects.toThrow(/do not accept tool outputs/);
    await engine.cancel(PROJECT, run.id);
  });
});

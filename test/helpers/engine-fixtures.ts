/**
 * Small fixtures for the engine's unit tests: a migrated in-memory SQLite store with a project and a
 * thread, runs and messages shaped as the API makes them, a bus that records what it publishes, and a
 * whitespace token counter (one token per word) so budgets are easy to reason about.
 */
import { EventSink } from '../../src/engine/event-sink.ts';
import type { EventBus } from '../../src/engine/event-bus.ts';
import type { ExecutorDependencies } from '../../src/engine/run-executor.ts';
import { RunWriter } from '../../src/engine/run-writer.ts';
import { newAssistantMessage, newStep } from '../../src/engine/run-objects.ts';
import type { TokenCounter } from '../../src/engine/token-counter.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Message } from '../../src/domain/message.ts';
import type { Run, RunOptions, RunStep } from '../../src/domain/run.ts';
import type { RunEvent } from '../../src/domain/run-event.ts';
import type { LanguageModel } from '../../src/models/language-model.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { createTestPostgresStore, dropSchema } from './postgres.ts';

export const PROJECT = 'proj_engine';
export const WORKER = 'worker-under-test';

export const NO_OPTIONS: RunOptions = {
  additional_instructions: null,
  reasoning_effort: null,
  include: [],
  tool_resources: null,
};

/** One token per whitespace-separated word. */
export const wordCounter: TokenCounter = {
  count: (text) => (text.trim() === '' ? 0 : text.trim().split(/\s+/).length),
};

/**
 * A migrated store with the test project: in-memory SQLite, or a Postgres schema of its own (dropped
 * by `close()`).
 */
export async function createEngineStore(
  database: 'sqlite' | 'postgres' = 'sqlite',
): Promise<Store> {
  let store: Store;
  if (database === 'postgres') {
    const created = await createTestPostgresStore();
    store = {
      ...created.store,
      close: async () => {
        await created.store.close();
        await dropSchema(created.schema);
      },
    };
  } else {
    store = createSqliteStore(':memory:');
    await store.migrate();
  }
  await insertTestProject(store);
  return store;
}

/** Inserts the test project (or the project `id`) into `store`. */
export async function insertTestProject(store: Store, id = PROJECT): Promise<void> {
  await store.projects.insert({
    id,
    object: 'organization.project',
    name: id,
    created_at: 1,
    archived_at: null,
    status: 'active',
  });
}

/** A new thread in the test project; returns its id. */
export async function newThread(store: Store, projectId = PROJECT): Promise<string> {
  const id = newId('thread');
  await store.threads.insert(projectId, {
    id,
    object: 'thread',
    created_at: 1_700_000_000,
    tool_resources: {},
    metadata: {},
  });
  return id;
}

export function testRun(threadId: string, overrides: Partial<Run> = {}): Run {
  return {
    id: newId('run'),
    object: 'thread.run',
    created_at: 1_700_000_000,
    thread_id: threadId,
    assistant_id: 'asst_test',
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: 1_700_000_600,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: 'gpt-4o',
    instructions: '',
    tools: [],
    metadata: {},
    usage: null,
    temperature: 1,
    top_p: 1,
    max_prompt_tokens: null,
    max_completion_tokens: null,
    truncation_strategy: { type: 'auto', last_messages: null },
    tool_choice: 'auto',
    parallel_tool_calls: true,
    response_format: 'auto',
    ...overrides,
  };
}

/** An assistant message of `run`, in progress, created at 1 (a fixed time). */
export function testAssistantMessage(run: Run): Message {
  return { ...newAssistantMessage(run), created_at: 1 };
}

/** A step of `run`, in progress, with `details`, created at 1 (a fixed time). */
export function testStep(run: Run, details: RunStep['step_details']): RunStep {
  return { ...newStep(run, details), created_at: 1 };
}

export function testMessage(
  threadId: string,
  role: 'user' | 'assistant',
  text: string,
  overrides: Partial<Message> = {},
): Message {
  return {
    id: newId('message'),
    object: 'thread.message',
    created_at: 1_700_000_000,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role,
    content: [{ type: 'text', text: { value: text, annotations: [] } }],
    assistant_id: null,
    run_id: null,
    attachments: [],
    metadata: {},
    ...overrides,
  };
}

/** Inserts `run` (with its created/queued events), leased to `lockedBy` when given. */
export async function insertTestRun(
  store: Store,
  run: Run,
  lockedBy: string | null = null,
  leaseUntil: number | null = lockedBy ? Date.now() + 60_000 : null,
): Promise<RunEvent[]> {
  return store.runs.insert({ projectId: PROJECT, run, options: NO_OPTIONS, lockedBy, leaseUntil }, [
    { runId: run.id, event: 'thread.run.created', data: JSON.stringify(run) },
    { runId: run.id, event: 'thread.run.queued', data: JSON.stringify(run) },
  ]);
}

export interface RecordingBus extends EventBus {
  published: RunEvent[];
  cancels: string[];
  runnable: number;
}

/** A bus that records every published event, in order. */
export function recordingBus(): RecordingBus {
  const bus: RecordingBus = {
    published: [],
    cancels: [],
    runnable: 0,
    publish: (events) => void bus.published.push(...events),
    subscribe: () => () => {},
    notifyRunnable: () => void bus.runnable++,
    onRunnable: () => () => {},
    notifyCancel: (runId) => void bus.cancels.push(runId),
    onCancel: () => () => {},
    close: async () => {},
  };
  return bus;
}

/** A writer for `run` (already stored, leased to WORKER) whose events go to the table and `bus`. */
export async function testWriter(store: Store, run: Run, bus = recordingBus()) {
  const writer = new RunWriter({
    store,
    bus,
    sink: new EventSink(store.runEvents, bus),
    projectId: PROJECT,
    workerId: WORKER,
    run,
    lastSeq: await store.runEvents.lastSeq(run.id),
  });
  return { writer, bus };
}

/** The names of a run's stored events after `afterSeq`, in seq order. */
export async function storedEventNames(store: Store, runId: string, afterSeq = 0) {
  const events = await store.runEvents.listAfter(runId, afterSeq, 1000);
  return events.map((event) => event.event);
}

/**
 * What `executeRun` needs to run as WORKER through `store`, with `model` for every model name (a
 * context window of 100,000 tokens), no server tools and a silent log; `overrides` replace parts.
 */
export function executorDependencies(
  store: Store,
  model: LanguageModel,
  overrides: Partial<ExecutorDependencies> = {},
): ExecutorDependencies {
  const bus = recordingBus();
  return {
    store,
    bus,
    sink: new EventSink(store.runEvents, bus),
    models: {
      resolve: (name) => ({
        model,
        modelId: name,
        capabilities: { vision: false, contextWindow: 100_000 },
      }),
    },
    serverTools: [],
    counter: wordCounter,
    loadImage: async () => undefined,
    toolResources: async () => ({}),
    runExpirySeconds: 600,
    workerId: WORKER,
    log: { warn() {}, error() {} },
    ...overrides,
  };
}

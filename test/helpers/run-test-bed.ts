/** A listening app wired to a scripted upstream, with an SDK client: the setup of every run test. */
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import type { ConfigInput } from '../../src/config/config-schema.ts';
import { startScriptedModel, type ScriptedModel } from './scripted-model.ts';
import { createListeningTestApp, type TestApp, type TestAppOptions } from './test-app.ts';

export interface RunTestBed {
  app: TestApp;
  upstream: ScriptedModel;
  client: OpenAI;
  baseURL: string;
  close(): Promise<void>;
}

export interface RunTestBedOptions {
  database?: 'sqlite' | 'postgres';
  config?: Partial<ConfigInput>;
  overrides?: TestAppOptions['overrides'];
  prepareStore?: TestAppOptions['prepareStore'];
}

export async function createRunTestBed(options: RunTestBedOptions = {}): Promise<RunTestBed> {
  const upstream = await startScriptedModel();
  const { app, baseURL } = await createListeningTestApp({
    ...(options.database ? { database: options.database } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.prepareStore ? { prepareStore: options.prepareStore } : {}),
    config: {
      providerBaseUrl: upstream.url,
      modelTimeoutSeconds: 5,
      providers: {
        local: {
          type: 'openai-compatible',
          baseURL: upstream.url,
          visionModels: ['seeing'],
          contextWindows: { tiny: 600 },
        },
        default: { type: 'openai-compatible', visionModels: ['vision-model'] },
      },
      ...options.config,
    },
  });
  const client = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
  return {
    app,
    upstream,
    client,
    baseURL,
    async close() {
      await app.destroy();
      await upstream.stop();
    },
  };
}

/**
 * A test bed for the enclosing `describe`: started in its `beforeAll`, closed in its `afterAll`. The
 * handle reads the started bed, so use it inside tests and hooks.
 */
export function useRunTestBed(options: RunTestBedOptions = {}): RunTestBed {
  let bed: RunTestBed | undefined;
  beforeAll(async () => {
    bed = await createRunTestBed(options);
  });
  afterAll(() => bed?.close());
  const started = (): RunTestBed => {
    if (!bed) throw new Error('The run test bed is used before its beforeAll started it.');
    return bed;
  };
  return {
    get app() {
      return started().app;
    },
    get upstream() {
      return started().upstream;
    },
    get client() {
      return started().client;
    },
    get baseURL() {
      return started().baseURL;
    },
    close: () => started().close(),
  };
}

export const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** Retrieves the run until `done` holds (or fails after `timeoutMs`): for states the SDK's poll stops early on. */
export async function waitForRun(
  client: OpenAI,
  threadId: string,
  runId: string,
  done: (run: OpenAI.Beta.Threads.Run) => boolean,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.beta.threads.runs.retrieve(runId, { thread_id: threadId });
    if (done(run)) return run;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Creates a thread with one user message and a run on it through `client`; resolves once the run has
 * reached `until` (default `in_progress`: a worker is running it), as `watcher` sees it.
 */
export async function startRun(
  client: OpenAI,
  assistantId: string,
  content: string,
  { until = 'in_progress', watcher = client }: { until?: string; watcher?: OpenAI } = {},
) {
  const run = await client.beta.threads.createAndRun({
    assistant_id: assistantId,
    thread: { messages: [{ role: 'user', content }] },
  });
  await waitForRun(watcher, run.thread_id, run.id, (current) => current.status === until, 15_000);
  return run;
}

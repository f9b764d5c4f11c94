/**
 * `/metrics` read the way Prometheus reads it (a strict text parser) after real runs through the
 * official SDK: runs by status and model, their tokens, model latency, HTTP requests by route pattern,
 * and the database's gauges (queue, ingestion backlog) from an API-only node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { types } from 'node:util';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../helpers/prometheus-text.ts';
import { DEFAULT_PROJECT_ID } from '../../src/domain/project.ts';
import type { Run } from '../../src/domain/run.ts';
import { createRunTestBed, waitForRun, type RunTestBed } from '../helpers/run-test-bed.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123';

async function scrape(url: string, token?: string): Promise<Map<string, MetricFamily>> {
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

/** No label value may be an object id: ids would make the series unbounded. */
function expectNoIds(families: Map<string, MetricFamily>): void {
  for (const family of families.values())
    for (const sample of family.samples)
      for (const value of Object.values(sample.labels))
        expect(value, `${sample.name} ${JSON.stringify(sample.labels)}`).not.toMatch(
          /\b(run|thread|asst|msg|step|file|vs|request|key|proj)_[A-Za-z0-9]{6,}/,
        );
}

describe.each(testDatabases)('metrics after real runs (%s)', (database) => {
  let bed: RunTestBed;
  let metricsUrl: string;

  beforeAll(async () => {
    bed = await createRunTestBed({
      database,
      config: { metrics: 'on', metricsToken: METRICS_TOKEN },
    });
    metricsUrl = bed.baseURL.replace(/\/v1$/, '/metrics');
  });
  afterAll(() => bed.close());

  it('asks for the metrics token, in the OpenAI error envelope', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', 'Basic x']) {
      const response = await fetch(metricsUrl, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
    }
  });

  it('counts runs by status and model, their tokens, model latency and HTTP routes', async () => {
    const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
    bed.upstream.enqueue(
      { text: 'Hello there', usage: { prompt_tokens: 21, completion_tokens: 4 } },
      { text: 'Again', usage: { prompt_tokens: 30, completion_tokens: 2 } },
      { error: { status: 400, message: 'bad prompt' } },
    );
    const outcomes: string[] = [];
    for (let index = 0; index < 3; index++) {
      const thread = await bed.client.beta.threads.create({
        messages: [{ role: 'user', content: `Hello ${index}` }],
      });
      const run = await bed.client.beta.threads.runs.createAndPoll(
        thread.id,
        { assistant_id: assistant.id },
        { pollIntervalMs: 20 },
      );
      outcomes.push(run.status);
    }
    expect(outcomes).toEqual(['completed', 'completed', 'failed']);

    const families = await scrape(metricsUrl, METRICS_TOKEN);
    const model = { model: 'gpt-4o' };
    expect(sampleValue(families, 'concierge_runs_created_total', model)).toBe(3);
    expect(
      sampleValue(families, 'concierge_runs_finished_total', { ...model, status: 'completed' }),
    ).toBe(2);
    expect(
      sampleValue(families, 'concierge_runs_finished_total', { ...model, status: 'failed' }),
    ).toBe(1);
    expect(sampleValue(families, 'concierge_run_input_tokens_total', model)).toBe(51);
    expect(sampleValue(families, 'concierge_run_output_tokens_total', model)).toBe(6);
    // Two calls streamed a first part; the refused one ended in an error.
    expect(sampleValue(families, 'concierge_model_time_to_first_token_seconds_count', model)).toBe(
      2,
    );
    expect(
      sampleValue(families, 'concierge_model_call_duration_seconds_count', {
        ...model,
        outcome: 'ok',
      }),
    ).toBe(2);
    expect(
      sampleValue(families, 'concierge_model_call_duration_seconds_count', {
        ...model,
        outcome: 'error',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(families, 'concierge_http_requests_total', {
        method: 'POST',
        route: '/v1/threads/:thread_id/runs',
        status: '200',
      }),
    ).toBe(3);
    expect(
      sampleValue(families, 'concierge_http_requests_total', {
        method: 'GET',
        route: '/v1/threads/:thread_id/runs/:run_id',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(3);
    // The refused scrapes above were counted too, by their route.
    expect(
      sampleValue(families, 'concierge_http_requests_total', {
        method: 'GET',
        route: '/metrics',
        status: '401',
      }),
    ).toBe(3);
    expect(families.get('concierge_http_request_duration_seconds')?.type).toBe('histogram');
    // Nothing waits once the runs are done; no code session is open; the loop's lag is measured.
    expect(sampleValue(families, 'concierge_run_queue_depth')).toBe(0);
    expect(sampleValue(families, 'concierge_run_queue_oldest_age_seconds')).toBe(0);
    expect(sampleValue(families, 'concierge_code_sessions_active')).toBe(0);
    expect(sampleValue(families, 'concierge_run_lease_takeovers_total')).toBe(0);
    for (const name of ['p99', 'max']) {
      const lag = sampleValue(families, `concierge_event_loop_lag_${name}_seconds`);
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(lag)).toBe(true);
    }
    for (const name of [
      'concierge_ingestion_backlog_files',
      'concierge_ingestion_failed_files',
      'concierge_service_agent_pending_approvals',
      'concierge_service_agent_policy_denials',
    ])
      expect(sampleValue(families, name), name).toBe(0);
    expectNoIds(families);
  });

  it('serves exactly the metrics docs/operations.md lists, each with its documented type and labels', async () => {
    const documented = new Map<string, { type: string; labels: string[] }>();
    const operations = readFileSync(join(import.meta.dirname, '../../docs/operations.md'), 'utf8');
    for (const [, name, type, labels] of operations.matchAll(
      /^\| `(concierge_[a-z0-9_]+)` \| (counter|gauge|histogram) \| ([^|]*) \|/gm,
    ))
      documented.set(name!, {
        type: type!,
        labels: [...labels!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!).sort(),
      });
    const families = await scrape(metricsUrl, METRICS_TOKEN);
    const served = [...families.values()].filter((family) => family.name.startsWith('concierge_'));
    expect(served.map((family) => family.name).sort()).toEqual([...documented.keys()].sort());
    for (const family of served) {
      const documentation = documented.get(family.name)!;
      expect(family.type, family.name).toBe(documentation.type);
      for (const sample of family.samples) {
        const labels = Object.keys(sample.labels).filter((label) => label !== 'le');
        expect(labels.sort(), sample.name).toEqual(documentation.labels);
      }
    }
  });

  it('counts a lease takeover once, and the run it ends', async () => {
    bed.upstream.enqueue({ text: 'Taken over', usage: { prompt_tokens: 5, completion_tokens: 1 } });
    const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
    const created = await bed.client.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });
    await waitForRun(
      bed.client,
      created.thread_id,
      created.id,
      (run) => run.status === 'completed',
    );
    const before = await scrape(metricsUrl, METRICS_TOKEN);
    // Leave the run as a worker that died before ending it would: in progress, lease lapsed.
    const stored = (await bed.app.store.runs.find(DEFAULT_PROJECT_ID, created.id))!;
    const interrupted: Run = { ...stored, status: 'in_progress', completed_at: null, usage: null };
    await bed.app.store.runs.compareAndSet(DEFAULT_PROJECT_ID, interrupted, 'completed', []);
    bed.app.worker!.wake();
    await waitForRun(
      bed.client,
      created.thread_id,
      created.id,
      (run) => run.status === 'completed' && run.completed_at !== null,
    );
    const after = await scrape(metricsUrl, METRICS_TOKEN);
    expect(sampleValue(before, 'concierge_run_lease_takeovers_total')).toBe(0);
    expect(sampleValue(after, 'concierge_run_lease_takeovers_total')).toBe(1);
    const completed = { model: 'gpt-4o', status: 'completed' };
    expect(sampleValue(after, 'concierge_runs_finished_total', completed)).toBe(
      sampleValue(before, 'concierge_runs_finished_total', completed)! + 1,
    );
  });
});

describe.each(testDatabases)(
  'metrics of an API-only node on a port of their own (%s)',
  (database) => {
    let app: TestApp;
    let client: OpenAI;
    let baseURL: string;

    beforeAll(async () => {
      const started = await createListeningTestApp({
        database,
        config: { metrics: '127.0.0.1:0', worker: false },
      });
      app = started.app;
      baseURL = started.baseURL;
      client = new OpenAI({ baseURL: started.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    });
    afterAll(() => app.destroy());

    it('reads the queue and the ingestion backlog from the database at scrape time', async () => {
      expect(app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      // Not on the API's port when they have a port of their own.
      const onApiPort = await fetch(baseURL.replace(/\/v1$/, '/metrics'));
      expect(await onApiPort.text()).not.toContain('concierge_');

      const before = await scrape(app.metricsUrl!);
      expect(sampleValue(before, 'concierge_run_queue_depth')).toBe(0);

      const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
      for (let index = 0; index < 2; index++)
        await client.beta.threads.createAndRun({
          assistant_id: assistant.id,
          thread: { messages: [{ role: 'user', content: 'Wait in the queue' }] },
        });
      const file = await client.files.create({
        file: await toFile(Buffer.from('Some text to index.'), 'notes.txt'),
        purpose: 'assistants',
      });
      await client.vectorStores.create({ name: 'docs', file_ids: [file.id] });

      const after = await scrape(app.metricsUrl!);
      expect(sampleValue(after, 'concierge_run_queue_depth')).toBe(2);
      expect(sampleValue(after, 'concierge_run_queue_oldest_age_seconds')).toBeGreaterThanOrEqual(
        0,
      );
      expect(sampleValue(after, 'concierge_ingestion_backlog_files')).toBe(1);
      expect(sampleValue(after, 'concierge_runs_created_total', { model: 'gpt-4o' })).toBe(2);
      expectNoIds(after);

      const elsewhere = await fetch(app.metricsUrl!.replace(/\/metrics$/, '/other'));
      expect(elsewhere.status).toBe(404);
    });
  },
);

describe('metrics off (the default)', () => {
  it('serves no /metrics and wraps nothing', async () => {
    const { app, baseURL } = await createListeningTestApp({ config: { playground: 'off' } });
    try {
      expect(app.config.metrics).toBe('off');
      expect(app.metricsUrl).toBeUndefined();
      const response = await fetch(baseURL.replace(/\/v1$/, '/metrics'));
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('concierge_');
      // The bus the engine publishes to is the one persistence built, not a counting wrapper.
      expect(types.isProxy(app.bus)).toBe(false);
    } finally {
      await app.destroy();
    }
  });
});

/**
 * Organization usage and costs through the official SDK, after real runs by two project keys and the
 * admin key, some of them ending at once: the usage API's sums match the runs' own usage, grouped by
 * project, key and model, in buckets and pages; costs follow the price table.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_ID } from '../../src/domain/project.ts';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

const ADMIN_KEY = 'admin-key-for-usage-tests';

interface UsageResult {
  input_tokens: number;
  output_tokens: number;
  num_model_requests: number;
  project_id: string | null;
  api_key_id: string | null;
  model: string | null;
}
interface Page<Result> {
  object: 'page';
  data: Array<{ object: 'bucket'; start_time: number; end_time: number; results: Result[] }>;
  has_more: boolean;
  next_page: string | null;
}
interface CostResult {
  amount: { value: number; currency: string };
  line_item: string | null;
  project_id: string | null;
}

describe.each(testDatabases)('organization usage and costs (%s)', (database) => {
  let bed: RunTestBed;
  let admin: OpenAI;
  let project: { id: string };
  let keys: { first: { id: string; client: OpenAI }; second: { id: string; client: OpenAI } };
  const expected = new Map<string, { input: number; output: number; runs: number }>();
  let startTime: number;

  async function newKey(projectId: string) {
    const key = await admin.post<{ id: string; value: string }>(
      `/organization/projects/${projectId}/api_keys`,
      { body: { name: 'usage test' } },
    );
    const client = new OpenAI({ baseURL: bed.baseURL, apiKey: key.value, maxRetries: 0 });
    return { id: key.id, client };
  }

  /** Runs `count` runs at once through `client`, each answered with the given usage. */
  async function runAll(client: OpenAI, keyId: string | null, model: string, usages: number[][]) {
    const assistant = await client.beta.assistants.create({ model });
    const runs = await Promise.all(
      usages.map(async () => {
        const thread = await client.beta.threads.create({
          messages: [{ role: 'user', content: 'Count me' }],
        });
        return client.beta.threads.runs.createAndPoll(
          thread.id,
          { assistant_id: assistant.id },
          { pollIntervalMs: 20 },
        );
      }),
    );
    for (const run of runs) {
      expect(run.status).toBe('completed');
      const projectId = keyId === keys.second.id ? project.id : DEFAULT_PROJECT_ID;
      const group = JSON.stringify([projectId, keyId, model]);
      const sum = expected.get(group) ?? { input: 0, output: 0, runs: 0 };
      sum.input += run.usage!.prompt_tokens;
      sum.output += run.usage!.completion_tokens;
      sum.runs += 1;
      expected.set(group, sum);
    }
  }

  beforeAll(async () => {
    bed = await createRunTestBed({
      database,
      config: {
        apiKey: ADMIN_KEY,
        prices: {
          'gpt-4o': { input_usd_per_million_tokens: 2.5, output_usd_per_million_tokens: 10 },
        },
      },
    });
    admin = new OpenAI({ baseURL: bed.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
    startTime = Math.floor(Date.now() / 1000) - 5;
    project = await admin.post<{ id: string }>('/organization/projects', {
      body: { name: 'usage' },
    });
    keys = { first: await newKey(DEFAULT_PROJECT_ID), second: await newKey(project.id) };
    bed.upstream.respondWith((body) => {
      const words = JSON.stringify(body.messages).length;
      return { text: 'Counted.', usage: { prompt_tokens: words, completion_tokens: 3 } };
    });
    await runAll(keys.first.client, keys.first.id, 'gpt-4o', [[], [], [], []]);
    await runAll(keys.second.client, keys.second.id, 'gpt-4o-mini', [[], []]);
    await runAll(admin, null, 'gpt-4o', [[]]);
  });
  afterAll(() => bed.close());

  it('sums each project, key and model exactly as the runs report, one model request per run', async () => {
    const page = await admin.get<Page<UsageResult>>('/organization/usage/completions', {
      query: {
        start_time: startTime,
        bucket_width: '1d',
        group_by: ['project_id', 'api_key_id', 'model'],
      },
    });
    expect(page).toMatchObject({ object: 'page', has_more: false, next_page: null });
    const results = page.data.flatMap((bucket) => bucket.results);
    const actual = new Map(
      results.map((result) => [
        JSON.stringify([result.project_id, result.api_key_id, result.model]),
        {
          input: result.input_tokens,
          output: result.output_tokens,
          runs: result.num_model_requests,
        },
      ]),
    );
    expect(actual).toEqual(expected);
    expect(results[0]).toMatchObject({
      object: 'organization.usage.completions.result',
      input_cached_tokens: 0,
      user_id: null,
      batch: null,
    });

    // Ungrouped: one total per bucket.
    const total = await admin.get<Page<UsageResult>>('/organization/usage/completions', {
      query: { start_time: startTime },
    });
    const totals = total.data.flatMap((bucket) => bucket.results);
    expect(totals).toHaveLength(1);
    const sum = [...expected.values()].reduce((a, b) => a + b.input, 0);
    expect(totals[0]).toMatchObject({ input_tokens: sum, project_id: null, model: null });

    // Filtered to one key.
    const mine = await admin.get<Page<UsageResult>>('/organization/usage/completions', {
      query: { start_time: startTime, api_key_ids: [keys.second.id], group_by: ['model'] },
    });
    expect(mine.data.flatMap((bucket) => bucket.results).map((result) => result.model)).toEqual([
      'gpt-4o-mini',
    ]);
  });

  it('pages minute buckets with next_page, and every token lands in exactly one bucket', async () => {
    const now = Math.floor(Date.now() / 1000);
    const seen: Array<{ start: number; input: number }> = [];
    let page: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const result: Page<UsageResult> = await admin.get('/organization/usage/completions', {
        query: {
          start_time: startTime - 120,
          end_time: now + 60,
          bucket_width: '1m',
          limit: 2,
          ...(page ? { page } : {}),
        },
      });
      expect(result.data.length).toBeLessThanOrEqual(2);
      for (const bucket of result.data) {
        expect(bucket.end_time - bucket.start_time).toBe(60);
        seen.push({
          start: bucket.start_time,
          input: bucket.results.reduce((a, b) => a + b.input_tokens, 0),
        });
      }
      if (!result.has_more) break;
      page = result.next_page!;
    }
    const starts = seen.map((bucket) => bucket.start);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts.length).toBeGreaterThanOrEqual(4);
    const sum = [...expected.values()].reduce((a, b) => a + b.input, 0);
    expect(seen.reduce((a, b) => a + b.input, 0)).toBe(sum);
  });

  it('prices tokens from the price table by line item; unpriced models are left out', async () => {
    const costs = await admin.get<Page<CostResult>>('/organization/costs', {
      query: { start_time: startTime, group_by: ['line_item'] },
    });
    const lines = new Map(
      costs.data.flatMap((bucket) => bucket.results.map((r) => [r.line_item, r.amount])),
    );
    const gpt4o = [...expected.entries()]
      .filter(([group]) => group.includes('"gpt-4o"'))
      .map(([, value]) => value);
    const input = gpt4o.reduce((a, b) => a + b.input, 0);
    const output = gpt4o.reduce((a, b) => a + b.output, 0);
    expect([...lines.keys()].sort()).toEqual(['gpt-4o, input', 'gpt-4o, output']);
    expect(lines.get('gpt-4o, input')!.value).toBeCloseTo((input * 2.5) / 1e6, 12);
    expect(lines.get('gpt-4o, output')!.value).toBeCloseTo((output * 10) / 1e6, 12);
    expect(lines.get('gpt-4o, input')!.currency).toBe('usd');

    const byProject = await admin.get<Page<CostResult>>('/organization/costs', {
      query: { start_time: startTime, group_by: ['project_id'] },
    });
    const projects = byProject.data.flatMap((bucket) => bucket.results);
    // Only the default project ran the priced model.
    expect(projects.map((result) => result.project_id)).toEqual([DEFAULT_PROJECT_ID]);
  });

  it('is for the admin key only, and refuses bad queries with a 400', async () => {
    await expect(
      keys.first.client.get('/organization/usage/completions', {
        query: { start_time: startTime },
      }),
    ).rejects.toMatchObject({ status: 403 });
    const bad: Array<Record<string, unknown>> = [
      {},
      { start_time: startTime, bucket_width: '2d' },
      { start_time: startTime, group_by: ['user_id'] },
      { start_time: startTime, bucket_width: '1d', limit: 32 },
      { start_time: startTime, end_time: startTime },
      { start_time: startTime, page: '12' },
      { start_time: 'yesterday' },
    ];
    for (const query of bad)
      await expect(
        admin.get('/organization/usage/completions', { query }),
        JSON.stringify(query),
      ).rejects.toMatchObject({ status: 400, error: { type: 'invalid_request_error' } });
    await expect(
      admin.get('/organization/costs', { query: { start_time: startTime, bucket_width: '1h' } }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

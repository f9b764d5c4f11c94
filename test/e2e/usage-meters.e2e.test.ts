/**
 * The usage meters beyond tokens, through the official SDK's admin usage methods: stored bytes (`/v1/organization/usage/
 * vector_stores`) follow files uploaded and deleted per project, on SQLite and PostgreSQL; code
 * interpreter sessions and seconds (`/v1/organization/usage/code_interpreter_sessions`) follow real
 * code_interpreter calls on the bwrap sandbox (SQLite), one session per thread however many cells.
 */
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_ID } from '../../src/domain/project.ts';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { bwrapAvailable } from '../helpers/sandbox.ts';

const ADMIN_KEY = 'admin-key-for-usage-meter-tests';

interface Page<Result> {
  object: 'page';
  data: Array<{ object: 'bucket'; start_time: number; end_time: number; results: Result[] }>;
  has_more: boolean;
  next_page: string | null;
}
interface BytesResult {
  object: string;
  usage_bytes: number;
  project_id: string | null;
}
interface CostResult {
  line_item: string | null;
  quantity: number | null;
  amount: { value: number; currency: string };
}
interface SessionsResult {
  object: string;
  num_sessions: number;
  usage_seconds: number;
  project_id: string | null;
}

async function upload(client: OpenAI, bytes: number) {
  return client.files.create({
    file: await toFile(Buffer.alloc(bytes, 'x'), 'data.txt'),
    purpose: 'assistants',
  });
}

describe.each(testDatabases)('stored bytes usage (%s)', (database) => {
  let bed: RunTestBed;
  let admin: OpenAI;
  let project: { id: string };
  let startTime: number;

  beforeAll(async () => {
    bed = await createRunTestBed({ database, config: { apiKey: ADMIN_KEY } });
    admin = new OpenAI({
      baseURL: bed.baseURL,
      apiKey: ADMIN_KEY,
      adminAPIKey: ADMIN_KEY,
      maxRetries: 0,
    });
    startTime = Math.floor(Date.now() / 1000) - 5;
    project = await admin.post<{ id: string }>('/organization/projects', {
      body: { name: 'bytes' },
    });
    const key = await admin.post<{ value: string }>(
      `/organization/projects/${project.id}/api_keys`,
      { body: { name: 'bytes' } },
    );
    const other = new OpenAI({ baseURL: bed.baseURL, apiKey: key.value, maxRetries: 0 });
    await upload(admin, 1000);
    const removed = await upload(admin, 300);
    await upload(other, 70);
    await admin.files.delete(removed.id);
  });
  afterAll(() => bed?.close());

  it('shows the bytes each project stores at the end of the bucket, uploads less deletions', async () => {
    const grouped = (await admin.admin.organization.usage.vectorStores({
      start_time: startTime,
      bucket_width: '1d',
      group_by: ['project_id'],
    })) as Page<BytesResult>;
    expect(grouped).toMatchObject({ object: 'page', has_more: false, next_page: null });
    const results = grouped.data.flatMap((bucket) => bucket.results);
    expect(new Map(results.map((result) => [result.project_id, result.usage_bytes]))).toEqual(
      new Map([
        [DEFAULT_PROJECT_ID, 1000],
        [project.id, 70],
      ]),
    );
    expect(results[0]!.object).toBe('organization.usage.vector_stores.result');

    const total = (await admin.admin.organization.usage.vectorStores({
      start_time: startTime,
      project_ids: [project.id],
    })) as Page<BytesResult>;
    expect(total.data.flatMap((bucket) => bucket.results)).toEqual([
      { object: 'organization.usage.vector_stores.result', usage_bytes: 70, project_id: null },
    ]);
  });

  it('carries the level over buckets with no change, and shows nothing before any file', async () => {
    const now = Math.floor(Date.now() / 1000);
    const minute = Math.floor(now / 60) * 60;
    // A minute bucket an hour ago (before the files), and the current one.
    const before = (await admin.admin.organization.usage.vectorStores({
      start_time: minute - 3600,
      end_time: minute - 3540,
      bucket_width: '1m',
    })) as Page<BytesResult>;
    expect(before.data).toHaveLength(1);
    expect(before.data[0]!.results).toEqual([]);
    const later = (await admin.admin.organization.usage.vectorStores({
      start_time: minute + 120,
      end_time: minute + 180,
      bucket_width: '1m',
    })) as Page<BytesResult>;
    expect(later.data[0]!.results).toEqual([
      { object: 'organization.usage.vector_stores.result', usage_bytes: 1070, project_id: null },
    ]);
  });

  it('refuses other groups with an OpenAI-style 400', async () => {
    const error = await admin
      .get('/organization/usage/vector_stores', {
        query: { start_time: startTime, group_by: ['model'] },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('group_by');
  });
});

describe.runIf(bwrapAvailable)('code interpreter usage (bwrap sandbox)', () => {
  let bed: RunTestBed;
  let admin: OpenAI;
  let startTime: number;

  beforeAll(async () => {
    bed = await createRunTestBed({
      config: {
        apiKey: ADMIN_KEY,
        codeSandbox: 'bwrap',
        usagePrices: { code_interpreter_usd_per_session: 0.03, code_interpreter_usd_per_hour: 36 },
      },
    });
    admin = new OpenAI({
      baseURL: bed.baseURL,
      apiKey: ADMIN_KEY,
      adminAPIKey: ADMIN_KEY,
      maxRetries: 0,
    });
    startTime = Math.floor(Date.now() / 1000) - 5;
  });
  afterAll(() => bed?.close());

  it('counts one session per thread and the seconds its cells ran', async () => {
    const empty = (await admin.admin.organization.usage.codeInterpreterSessions({
      start_time: startTime,
    })) as Page<SessionsResult>;
    expect(empty.data.flatMap((bucket) => bucket.results)).toEqual([]);

    const assistant = await admin.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }],
    });
    const thread = await admin.beta.threads.create({
      messages: [{ role: 'user', content: 'Compute twice.' }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code: 'x = 6 * 7' }, id: 'c1' }] },
      { toolCalls: [{ name: 'code_interpreter', arguments: { code: 'print(x)' }, id: 'c2' }] },
      { text: '42' },
    );
    const run = await admin.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
    // The cells ran in the sandbox (the second printed what the first computed).
    const steps = await admin.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      order: 'asc',
    });
    const outputs = steps.data.flatMap((step) =>
      step.step_details.type === 'tool_calls'
        ? step.step_details.tool_calls.flatMap((call) =>
            call.type === 'code_interpreter' ? call.code_interpreter.outputs : [],
          )
        : [],
    );
    expect(outputs).toEqual([{ type: 'logs', logs: '42\n' }]);

    const page = (await admin.admin.organization.usage.codeInterpreterSessions({
      start_time: startTime,
      group_by: ['project_id'],
    })) as Page<SessionsResult>;
    const results = page.data.flatMap((bucket) => bucket.results);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      object: 'organization.usage.code_interpreter_sessions.result',
      num_sessions: 1,
      project_id: DEFAULT_PROJECT_ID,
    });
    // Two cells, each metered at one millisecond at least.
    expect(results[0]!.usage_seconds).toBeGreaterThanOrEqual(0.002);

    // Costs price the same figures: one session, and the seconds at $36 an hour ($0.01 a second).
    const costs = await admin.admin.organization.usage.costs({
      start_time: startTime,
      group_by: ['line_item'],
    });
    const lines = new Map(
      costs.data.flatMap((bucket) =>
        bucket.results.map((result) => {
          const cost = result as unknown as CostResult;
          return [cost.line_item, cost] as const;
        }),
      ),
    );
    expect([...lines.keys()].sort()).toEqual([
      'code interpreter, seconds',
      'code interpreter, sessions',
    ]);
    expect(lines.get('code interpreter, sessions')).toMatchObject({
      quantity: 1,
      amount: { value: 0.03, currency: 'usd' },
    });
    const seconds = lines.get('code interpreter, seconds')!;
    expect(seconds.quantity).toBeCloseTo(results[0]!.usage_seconds, 9);
    expect(seconds.amount.value).toBeCloseTo(results[0]!.usage_seconds * 0.01, 9);
    const total = await admin.admin.organization.usage.costs({ start_time: startTime });
    const sum = total.data.flatMap((bucket) => bucket.results) as unknown as CostResult[];
    expect(sum.reduce((value, result) => value + result.amount.value, 0)).toBeCloseTo(
      0.03 + seconds.amount.value,
      9,
    );
  });
});

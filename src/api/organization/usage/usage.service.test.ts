/**
 * A query without `end_time` ends now, and shows what was metered up to now: usage written in the
 * first second of a minute (its row's minute is that second) is seen by a query in the same second.
 * The clock is set to that second (only `Date` is faked; timers run).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../../storage/store.ts';
import { costs } from './costs.ts';
import { createUsageService } from './usage.service.ts';
import {
  CostsQuerySchema,
  UsageCompletionsQuerySchema,
  UsageMeterQuerySchema,
} from './usage.schemas.ts';

/** The first second of a minute. */
const MINUTE = Math.floor(1_800_000_000 / 60) * 60;
const WHO = { projectId: 'proj_a', apiKeyId: null };

const results = <Result>(page: { data: Array<{ results: Result[] }> }) =>
  page.data.flatMap((bucket) => bucket.results);

describe('usage queries that end now', () => {
  let store: Store;

  beforeAll(async () => {
    store = createSqliteStore(':memory:');
    await store.migrate();
    await store.usage.addMeter({
      ...WHO,
      meter: 'code_interpreter_sessions',
      at: MINUTE,
      amount: 1,
    });
    await store.usage.addMeter({ ...WHO, meter: 'code_interpreter_ms', at: MINUTE, amount: 250 });
    await store.usage.addMeter({ ...WHO, meter: 'stored_bytes', at: MINUTE, amount: 1000 });
    await store.usage.record({
      ...WHO,
      model: 'gpt-4o',
      endedAt: MINUTE,
      inputTokens: 10,
      outputTokens: 2,
      modelRequests: 1,
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(MINUTE * 1000 + 400);
  });
  afterEach(() => vi.setSystemTime(MINUTE * 1000 + 400));
  afterAll(() => {
    vi.useRealTimers();
    return store.close();
  });

  const service = () =>
    createUsageService({
      store,
      prices: { 'gpt-4o': { input_usd_per_million_tokens: 1, output_usd_per_million_tokens: 1 } },
      usagePrices: { code_interpreter_usd_per_session: 0.03 },
    });

  it('shows code interpreter sessions metered in the current second', async () => {
    const query = UsageMeterQuerySchema.parse({ start_time: MINUTE - 5 });
    expect(results(await service().codeInterpreterSessions(query))).toEqual([
      {
        object: 'organization.usage.code_interpreter_sessions.result',
        num_sessions: 1,
        usage_seconds: 0.25,
        project_id: null,
      },
    ]);
  });

  it('shows completions and stored bytes of the current second', async () => {
    const completions = UsageCompletionsQuerySchema.parse({ start_time: MINUTE - 5 });
    expect(results(await service().completions(completions))).toMatchObject([
      { input_tokens: 10, output_tokens: 2, num_model_requests: 1 },
    ]);
    const stored = UsageMeterQuerySchema.parse({ start_time: MINUTE - 5 });
    expect(results(await service().vectorStores(stored))).toMatchObject([{ usage_bytes: 1000 }]);
  });

  it('prices what was metered in the current second', async () => {
    const query = CostsQuerySchema.parse({ start_time: MINUTE - 5, group_by: ['line_item'] });
    const items = results(await service().costs(query)).map((result) => result.line_item);
    expect(items.sort()).toEqual(['code interpreter, sessions', 'gpt-4o, input', 'gpt-4o, output']);
  });

  it('integrates stored bytes up to now, not past it', async () => {
    vi.setSystemTime((MINUTE + 60) * 1000 + 400);
    const query = CostsQuerySchema.parse({ start_time: MINUTE - 5, group_by: ['line_item'] });
    const page = await costs(store, query, MINUTE + 60, {
      models: {},
      usage: { stored_usd_per_gb_day: 1 },
    });
    // 1000 bytes for the 60 s since the minute began: 60 000 byte-seconds.
    expect(results(page)[0]!.quantity! * 1e9 * 86_400).toBeCloseTo(60_000, 6);
  });
});

/**
 * Usage of the current second: rows are kept by minute, so what was metered at `:00` of this minute is
 * in a row whose minute is now itself; a query without `end_time` must show it at once (the code
 * interpreter usage e2e test met it: a run's meters and the query in the same second, at `:00`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../../storage/store.ts';
import { createUsageService } from './usage.service.ts';
import { UsageCompletionsQuerySchema, UsageMeterQuerySchema } from './usage.schemas.ts';

/** A minute's first second. */
const M = Math.floor(1_800_000_000 / 60) * 60;

describe('usage metered in the current second', () => {
  let store: Store;

  beforeAll(async () => {
    store = createSqliteStore(':memory:');
    await store.migrate();
    const who = { projectId: 'proj_a', apiKeyId: null };
    await store.usage.addMeter({ ...who, meter: 'code_interpreter_sessions', at: M, amount: 1 });
    await store.usage.addMeter({ ...who, meter: 'code_interpreter_ms', at: M, amount: 250 });
    await store.usage.record({
      ...who,
      model: 'gpt-4o',
      endedAt: M,
      inputTokens: 10,
      outputTokens: 5,
      modelRequests: 1,
    });
  });
  afterEach(() => vi.useRealTimers());
  afterAll(() => store.close());

  for (const width of ['1m', '1d'] as const)
    it(`is shown when the query runs in that second (buckets of ${width})`, async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime((M + 0.5) * 1000);
      const usage = createUsageService({ store, prices: {} });
      const sessions = await usage.codeInterpreterSessions(
        UsageMeterQuerySchema.parse({ start_time: M - 5, bucket_width: width }),
      );
      expect(sessions.data.flatMap((bucket) => bucket.results)).toMatchObject([
        { num_sessions: 1, usage_seconds: 0.25 },
      ]);
      const completions = await usage.completions(
        UsageCompletionsQuerySchema.parse({ start_time: M - 5, bucket_width: width }),
      );
      expect(completions.data.flatMap((bucket) => bucket.results)).toMatchObject([
        { input_tokens: 10, output_tokens: 5, num_model_requests: 1 },
      ]);
    });

  it('still leaves it out of a query that ends at that second', async () => {
    const usage = createUsageService({ store, prices: {} });
    const sessions = await usage.codeInterpreterSessions(
      UsageMeterQuerySchema.parse({ start_time: M - 5, end_time: M, bucket_width: '1m' }),
    );
    expect(sessions.data.flatMap((bucket) => bucket.results)).toEqual([]);
  });
});

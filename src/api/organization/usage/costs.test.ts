/**
 * Costs on a real SQLite store with meter rows at known times: tokens, code interpreter sessions and
 * hours, and stored bytes integrated into GB-days over each day (a level carried in from before the
 * page, changes from their minute on, the current day up to now); every bucket's total is the sum of
 * its line items, and filters by key and model apply to the metered items as to tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostsResult, UsagePage } from '../../../domain/usage.ts';
import { createSqliteStore } from '../../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../../storage/store.ts';
import { costs } from './costs.ts';
import { CostsQuerySchema } from './usage.schemas.ts';

const DAY = 86_400;
const D = Math.floor(1_800_000_000 / DAY) * DAY;
const GB = 1e9;
const PRICES = {
  models: { 'gpt-4o': { input_usd_per_million_tokens: 2.5, output_usd_per_million_tokens: 10 } },
  usage: {
    code_interpreter_usd_per_session: 0.03,
    code_interpreter_usd_per_hour: 0.5,
    stored_usd_per_gb_day: 0.1,
  },
};

/** Line items of each bucket as `[bucket index, item, project, quantity, usd]`, sorted. */
function lines(page: UsagePage<CostsResult>) {
  return page.data
    .flatMap((bucket, index) =>
      bucket.results.map((result) => [
        index,
        result.line_item,
        result.project_id,
        Number(result.quantity!.toFixed(9)),
        Number(result.amount.value.toFixed(9)),
      ]),
    )
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const totals = (page: UsagePage<CostsResult>) =>
  page.data.map((bucket) =>
    Number(bucket.results.reduce((sum, result) => sum + result.amount.value, 0).toFixed(9)),
  );

const query = (extra: Record<string, unknown> = {}) =>
  CostsQuerySchema.parse({ start_time: D, end_time: D + 2 * DAY, ...extra });

describe('costs of tokens, code interpreter and stored bytes', () => {
  let store: Store;

  beforeAll(async () => {
    store = createSqliteStore(':memory:');
    await store.migrate();
    const a = { projectId: 'proj_a', apiKeyId: 'key_a' };
    const b = { projectId: 'proj_b', apiKeyId: null };
    // proj_a holds 2 GB from the day before, 1 GB from noon; proj_b 1 GB from 06:00.
    await store.usage.addMeter({ ...a, meter: 'stored_bytes', at: D - DAY, amount: 2 * GB });
    await store.usage.addMeter({ ...a, meter: 'stored_bytes', at: D + DAY / 2, amount: -GB });
    await store.usage.addMeter({ ...b, meter: 'stored_bytes', at: D + DAY / 4, amount: GB });
    await store.usage.addMeter({
      ...a,
      meter: 'code_interpreter_sessions',
      at: D + 100,
      amount: 3,
    });
    await store.usage.addMeter({ ...a, meter: 'code_interpreter_ms', at: D + 100, amount: 7.2e6 });
    await store.usage.record({
      ...a,
      model: 'gpt-4o',
      endedAt: D + 200,
      inputTokens: 1e6,
      outputTokens: 5e5,
      modelRequests: 2,
    });
  });
  afterAll(() => store.close());

  it('prices each line item, and each bucket totals its line items', async () => {
    const byItem = await costs(
      store,
      query({ group_by: ['line_item', 'project_id'] }),
      D + 3 * DAY,
      PRICES,
    );
    expect(lines(byItem)).toEqual([
      [0, 'code interpreter, seconds', 'proj_a', 7200, 1],
      [0, 'code interpreter, sessions', 'proj_a', 3, 0.09],
      [0, 'gpt-4o, input', 'proj_a', 1e6, 2.5],
      [0, 'gpt-4o, output', 'proj_a', 5e5, 5],
      [0, 'storage, GB-days', 'proj_a', 1.5, 0.15],
      [0, 'storage, GB-days', 'proj_b', 0.75, 0.075],
      [1, 'storage, GB-days', 'proj_a', 1, 0.1],
      [1, 'storage, GB-days', 'proj_b', 1, 0.1],
    ]);
    const total = await costs(store, query(), D + 3 * DAY, PRICES);
    expect(totals(total)).toEqual([8.815, 0.2]);
    expect(totals(total)).toEqual(totals(byItem));
    expect(total.data[0]!.results[0]).toMatchObject({ line_item: null, quantity: null });
  });

  it('integrates the current day up to now', async () => {
    const today = await costs(
      store,
      query({ end_time: undefined, group_by: ['line_item', 'project_id'] }),
      D + (3 * DAY) / 4,
      PRICES,
    );
    const storage = lines(today).filter((line) => line[1] === 'storage, GB-days');
    expect(storage).toEqual([
      [0, 'storage, GB-days', 'proj_a', 1.25, 0.125],
      [0, 'storage, GB-days', 'proj_b', 0.5, 0.05],
    ]);
  });

  it('filters metered items by key like tokens, leaves them out of a query by model, and leaves unpriced ones out', async () => {
    const byKey = await costs(store, query({ api_key_ids: ['key_a'] }), D + 3 * DAY, PRICES);
    expect(totals(byKey)).toEqual([8.74, 0.1]);
    const byModel = await costs(store, query({ models: ['gpt-4o'] }), D + 3 * DAY, PRICES);
    expect(totals(byModel)).toEqual([7.5, 0]);
    const tokensOnly = await costs(store, query(), D + 3 * DAY, { ...PRICES, usage: {} });
    expect(totals(tokensOnly)).toEqual([7.5, 0]);
  });
});

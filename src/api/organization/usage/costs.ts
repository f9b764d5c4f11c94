/**
 * `GET /v1/organization/costs`: usage priced from the configured price tables, one line item per
 * priced quantity, as OpenAI's costs are:
 * - `<model>, input` and `<model>, output`: the tokens of runs (`prices`, per million tokens);
 * - `code interpreter, sessions` and `code interpreter, seconds` (`usagePrices`, per session and
 *   per hour of cell execution);
 * - `storage, GB-days`: stored bytes over time (`usagePrices`, per GB (10⁹ bytes) a day): the level of
 *   the `stored_bytes` meter integrated over each bucket, up to now for the current day.
 * A quantity without a price is left out. `quantity` is shown when grouped by line item.
 */
import type { ModelPrice, UsagePrices } from '../../../config/config-schema.ts';
import type { CostsResult, UsagePage } from '../../../domain/usage.ts';
import type { MeterRow, MeterTotal, Store } from '../../../storage/store.ts';
import { page, rangeOf, rowsOf, windowOf, type Window } from './usage-buckets.ts';
import type { CostsQuery } from './usage.schemas.ts';

const DAY_SECONDS = 86_400;
const GB = 1_000_000_000;

/** One priced quantity of a project and key, in the minute (or bucket) it belongs to. */
interface CostRow {
  minute: number;
  projectId: string;
  apiKeyId: string | null;
  item: string;
  quantity: number;
  usd: number;
}

/** Who stored the bytes: the meter's project and key. */
const holder = (row: { projectId: string; apiKeyId: string | null }) =>
  JSON.stringify([row.projectId, row.apiKeyId]);

/**
 * Byte-seconds stored in each bucket of the page between `from` and `to`, per project and key: the
 * level at `from` (`initial`), then each change from its minute on.
 */
function storedByteSeconds(
  window: Window,
  initial: MeterTotal[],
  changes: MeterRow[],
  from: number,
  to: number,
): CostRow[] {
  const levels = new Map(initial.map((total) => [holder(total), { ...total }]));
  const rows: CostRow[] = [];
  let next = 0;
  for (const start of window.starts) {
    const end = Math.min(start + window.width, to);
    let cursor = Math.max(start, from);
    if (end <= cursor) continue;
    const stored = new Map<string, CostRow>();
    const accrue = (until: number) => {
      for (const [key, level] of levels) {
        if (level.amount === 0 || until <= cursor) continue;
        const row = stored.get(key) ?? {
          minute: start,
          projectId: level.projectId,
          apiKeyId: level.apiKeyId,
          item: 'storage, GB-days',
          quantity: 0,
          usd: 0,
        };
        row.quantity += level.amount * (until - cursor);
        stored.set(key, row);
      }
      cursor = Math.max(cursor, until);
    };
    for (; next < changes.length && changes[next]!.minute < end; next++) {
      const change = changes[next]!;
      accrue(change.minute);
      const level = levels.get(holder(change)) ?? { ...change, amount: 0 };
      level.amount += change.amount;
      levels.set(holder(change), level);
    }
    accrue(end);
    rows.push(...stored.values());
  }
  return rows;
}

/** The cost rows of the metered usage: code interpreter sessions and time, stored bytes. */
async function meterCostRows(
  store: Store,
  query: CostsQuery,
  window: Window,
  now: number,
  prices: UsagePrices,
): Promise<CostRow[]> {
  const range = rangeOf(query, window, now);
  const projectIds = query.project_ids;
  const rows: CostRow[] = [];
  const perSession = prices.code_interpreter_usd_per_session;
  if (perSession !== undefined)
    for (const row of await store.usage.listMeter({
      ...range,
      projectIds,
      meter: 'code_interpreter_sessions',
    }))
      rows.push({
        ...row,
        item: 'code interpreter, sessions',
        quantity: row.amount,
        usd: row.amount * perSession,
      });
  const perHour = prices.code_interpreter_usd_per_hour;
  if (perHour !== undefined)
    for (const row of await store.usage.listMeter({
      ...range,
      projectIds,
      meter: 'code_interpreter_ms',
    }))
      rows.push({
        ...row,
        item: 'code interpreter, seconds',
        quantity: row.amount / 1000,
        usd: (row.amount / 3_600_000) * perHour,
      });
  const perGbDay = prices.stored_usd_per_gb_day;
  if (perGbDay !== undefined) {
    const before = Math.floor(range.startTime / 60) * 60;
    const [initial, changes] = await Promise.all([
      store.usage.meterTotals('stored_bytes', before, projectIds),
      store.usage.listMeter({ ...range, projectIds, meter: 'stored_bytes' }),
    ]);
    // Bytes are stored up to now, not up to the range's end just after it.
    const until = Math.min(range.endTime, query.end_time ?? now);
    for (const row of storedByteSeconds(window, initial, changes, range.startTime, until)) {
      row.quantity /= GB * DAY_SECONDS;
      row.usd = row.quantity * perGbDay;
      rows.push(row);
    }
  }
  const keys = query.api_key_ids;
  return keys?.length ? rows.filter((row) => keys.includes(row.apiKeyId ?? '')) : rows;
}

export async function costs(
  store: Store,
  query: CostsQuery,
  now: number,
  prices: { models: Record<string, ModelPrice>; usage: UsagePrices },
): Promise<UsagePage<CostsResult>> {
  const window = windowOf(query, now);
  const grouped = new Set(query.group_by);
  const rows: CostRow[] = [];
  for (const row of await rowsOf(store, query, window, now)) {
    const price = prices.models[row.model];
    if (!price) continue;
    rows.push(
      {
        ...row,
        item: `${row.model}, input`,
        quantity: row.inputTokens,
        usd: (row.inputTokens * price.input_usd_per_million_tokens) / 1_000_000,
      },
      {
        ...row,
        item: `${row.model}, output`,
        quantity: row.outputTokens,
        usd: (row.outputTokens * price.output_usd_per_million_tokens) / 1_000_000,
      },
    );
  }
  // Metered usage belongs to no model: a query for some models leaves it out.
  if (!query.models?.length)
    rows.push(...(await meterCostRows(store, query, window, now, prices.usage)));
  return page<CostRow, CostsResult>(
    window,
    rows,
    (row) => {
      const byItem = grouped.has('line_item');
      const result: CostsResult = {
        object: 'organization.costs.result',
        amount: { value: row.usd, currency: 'usd' },
        line_item: byItem ? row.item : null,
        project_id: grouped.has('project_id') ? row.projectId : null,
        api_key_id: grouped.has('api_key_id') ? row.apiKeyId : null,
        quantity: byItem ? row.quantity : null,
      };
      const key = JSON.stringify([result.line_item, result.project_id, result.api_key_id]);
      return [{ key, result }];
    },
    (sum, result) => {
      sum.amount.value += result.amount.value;
      if (sum.quantity !== null && result.quantity !== null) sum.quantity += result.quantity;
    },
  );
}

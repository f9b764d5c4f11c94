/**
 * The organization's usage and costs, from the usage records runs leave when they end: rows of
 * project, key, model and minute, summed into the caller's time buckets and groups. Costs price each
 * model's tokens from the configured price table; a model without a price is left out of costs.
 */
import type { ModelPrice } from '../../../config/config-schema.ts';
import { nowSeconds } from '../../../domain/clock.ts';
import { InvalidRequestError } from '../../../domain/errors.ts';
import {
  BUCKET_SECONDS,
  type BucketWidth,
  type CostsResult,
  type UsageCompletionsResult,
  type UsagePage,
} from '../../../domain/usage.ts';
import type { Store, UsageRow } from '../../../storage/store.ts';
import type { CostsQuery, UsageCompletionsQuery } from './usage.schemas.ts';

/** OpenAI's bucket counts per page: the default and the most, by bucket width. */
const LIMITS: Record<BucketWidth, { fallback: number; max: number }> = {
  '1m': { fallback: 60, max: 1440 },
  '1h': { fallback: 24, max: 168 },
  '1d': { fallback: 7, max: 31 },
};

type Query = UsageCompletionsQuery | CostsQuery;

interface Window {
  starts: number[];
  width: number;
  nextPage: string | null;
}

/** The buckets of this page: aligned to their width, from `page` (or the start) up to the end. */
function windowOf(query: Query, now: number): Window {
  const width = BUCKET_SECONDS[query.bucket_width];
  const { fallback, max } = LIMITS[query.bucket_width];
  const limit = query.limit ?? fallback;
  if (limit > max)
    throw new InvalidRequestError(
      `limit must be at most ${max} with bucket_width=${query.bucket_width}.`,
      'limit',
    );
  const end = query.end_time ?? now;
  if (end <= query.start_time)
    throw new InvalidRequestError('end_time must be after start_time.', 'end_time');
  const first = Math.floor(query.start_time / width) * width;
  const cursor = query.page === undefined ? first : Number(query.page);
  if (cursor < first || cursor >= end || (cursor - first) % width !== 0)
    throw new InvalidRequestError('page is not a next_page of this query.', 'page');
  const starts: number[] = [];
  let start = cursor;
  for (; start < end && starts.length < limit; start += width) starts.push(start);
  return { starts, width, nextPage: start < end ? String(start) : null };
}

async function rowsOf(store: Store, query: Query, window: Window, now: number) {
  const last = window.starts[window.starts.length - 1]!;
  return store.usage.list({
    startTime: Math.max(query.start_time, window.starts[0]!),
    endTime: Math.min(query.end_time ?? now, last + window.width),
    projectIds: query.project_ids,
    apiKeyIds: query.api_key_ids,
    models: query.models,
  });
}

/** Sums `rows` into one page of buckets, each row into its bucket's group (`keyOf`). */
function page<Result>(
  window: Window,
  rows: UsageRow[],
  results: (row: UsageRow) => Array<{ key: string; result: Result }>,
  add: (sum: Result, result: Result) => void,
): UsagePage<Result> {
  const buckets = new Map(window.starts.map((start) => [start, new Map<string, Result>()]));
  for (const row of rows) {
    const start = Math.floor(row.minute / window.width) * window.width;
    const groups = buckets.get(start);
    if (!groups) continue;
    for (const { key, result } of results(row)) {
      const sum = groups.get(key);
      if (sum) add(sum, result);
      else groups.set(key, result);
    }
  }
  return {
    object: 'page',
    data: window.starts.map((start) => ({
      object: 'bucket',
      start_time: start,
      end_time: start + window.width,
      results: [...buckets.get(start)!.values()],
    })),
    has_more: window.nextPage !== null,
    next_page: window.nextPage,
  };
}

export function createUsageService({
  store,
  prices,
}: {
  store: Store;
  prices: Record<string, ModelPrice>;
}) {
  return {
    async completions(query: UsageCompletionsQuery): Promise<UsagePage<UsageCompletionsResult>> {
      const now = nowSeconds();
      const window = windowOf(query, now);
      const grouped = new Set(query.group_by);
      const rows = await rowsOf(store, query, window, now);
      return page<UsageCompletionsResult>(
        window,
        rows,
        (row) => {
          const result: UsageCompletionsResult = {
            object: 'organization.usage.completions.result',
            input_tokens: row.inputTokens,
            output_tokens: row.outputTokens,
            input_cached_tokens: 0,
            input_audio_tokens: 0,
            output_audio_tokens: 0,
            num_model_requests: row.modelRequests,
            project_id: grouped.has('project_id') ? row.projectId : null,
            user_id: null,
            api_key_id: grouped.has('api_key_id') ? row.apiKeyId : null,
            model: grouped.has('model') ? row.model : null,
            batch: null,
          };
          const key = JSON.stringify([result.project_id, result.api_key_id, result.model]);
          return [{ key, result }];
        },
        (sum, result) => {
          sum.input_tokens += result.input_tokens;
          sum.output_tokens += result.output_tokens;
          sum.num_model_requests += result.num_model_requests;
        },
      );
    },

    async costs(query: CostsQuery): Promise<UsagePage<CostsResult>> {
      const now = nowSeconds();
      const window = windowOf(query, now);
      const grouped = new Set(query.group_by);
      const rows = await rowsOf(store, query, window, now);
      return page<CostsResult>(
        window,
        rows,
        (row) => {
          const price = prices[row.model];
          if (!price) return [];
          const lines = [
            {
              item: `${row.model}, input`,
              usd: row.inputTokens * price.input_usd_per_million_tokens,
            },
            {
              item: `${row.model}, output`,
              usd: row.outputTokens * price.output_usd_per_million_tokens,
            },
          ];
          return lines.map(({ item, usd }) => {
            const result: CostsResult = {
              object: 'organization.costs.result',
              amount: { value: usd / 1_000_000, currency: 'usd' },
              line_item: grouped.has('line_item') ? item : null,
              project_id: grouped.has('project_id') ? row.projectId : null,
              api_key_id: grouped.has('api_key_id') ? row.apiKeyId : null,
            };
            const key = JSON.stringify([result.line_item, result.project_id, result.api_key_id]);
            return { key, result };
          });
        },
        (sum, result) => {
          sum.amount.value += result.amount.value;
        },
      );
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;

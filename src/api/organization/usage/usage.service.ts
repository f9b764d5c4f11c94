/**
 * The organization's usage and costs, from the usage records runs leave when they end: rows of
 * project, key, model and minute, summed into the caller's time buckets and groups. Costs price each
 * model's tokens from the configured price table; a model without a price is left out of costs.
 * Code interpreter sessions and seconds, and stored bytes, come from the usage meters the same way;
 * stored bytes are a level, not a flow: each bucket shows what was stored at its end.
 */
import type { ModelPrice } from '../../../config/config-schema.ts';
import { nowSeconds } from '../../../domain/clock.ts';
import { InvalidRequestError } from '../../../domain/errors.ts';
import {
  BUCKET_SECONDS,
  type BucketWidth,
  type CostsResult,
  type UsageCodeInterpreterSessionsResult,
  type UsageCompletionsResult,
  type UsagePage,
  type UsageVectorStoresResult,
} from '../../../domain/usage.ts';
import type { Store, UsageRow } from '../../../storage/store.ts';
import type { CostsQuery, UsageCompletionsQuery, UsageMeterQuery } from './usage.schemas.ts';

/** OpenAI's bucket counts per page: the default and the most, by bucket width. */
const LIMITS: Record<BucketWidth, { fallback: number; max: number }> = {
  '1m': { fallback: 60, max: 1440 },
  '1h': { fallback: 24, max: 168 },
  '1d': { fallback: 7, max: 31 },
};

type Query = UsageCompletionsQuery | CostsQuery | UsageMeterQuery;

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

/** The time range of this page's rows: the buckets', within the query's. */
function rangeOf(query: Query, window: Window, now: number) {
  const last = window.starts[window.starts.length - 1]!;
  return {
    startTime: Math.max(query.start_time, window.starts[0]!),
    endTime: Math.min(query.end_time ?? now, last + window.width),
  };
}

async function rowsOf(
  store: Store,
  query: UsageCompletionsQuery | CostsQuery,
  window: Window,
  now: number,
) {
  return store.usage.list({
    ...rangeOf(query, window, now),
    projectIds: query.project_ids,
    apiKeyIds: query.api_key_ids,
    models: query.models,
  });
}

/** Sums `rows` into one page of buckets, each row into its bucket's group (`keyOf`). */
function page<Row extends { minute: number }, Result>(
  window: Window,
  rows: Row[],
  results: (row: Row) => Array<{ key: string; result: Result }>,
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
      return page<UsageRow, UsageCompletionsResult>(
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
      return page<UsageRow, CostsResult>(
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

    async codeInterpreterSessions(
      query: UsageMeterQuery,
    ): Promise<UsagePage<UsageCodeInterpreterSessionsResult>> {
      const now = nowSeconds();
      const window = windowOf(query, now);
      const grouped = new Set(query.group_by);
      const range = { ...rangeOf(query, window, now), projectIds: query.project_ids };
      const [sessions, milliseconds] = await Promise.all([
        store.usage.listMeter({ ...range, meter: 'code_interpreter_sessions' }),
        store.usage.listMeter({ ...range, meter: 'code_interpreter_ms' }),
      ]);
      const rows = [
        ...sessions.map((row) => ({ ...row, sessions: row.amount, milliseconds: 0 })),
        ...milliseconds.map((row) => ({ ...row, sessions: 0, milliseconds: row.amount })),
      ];
      const buckets = page<(typeof rows)[number], UsageCodeInterpreterSessionsResult>(
        window,
        rows,
        (row) => {
          const project_id = grouped.has('project_id') ? row.projectId : null;
          return [
            {
              key: JSON.stringify([project_id]),
              result: {
                object: 'organization.usage.code_interpreter_sessions.result',
                num_sessions: row.sessions,
                usage_seconds: row.milliseconds,
                project_id,
              },
            },
          ];
        },
        (sum, result) => {
          sum.num_sessions += result.num_sessions;
          sum.usage_seconds += result.usage_seconds;
        },
      );
      // Summed in milliseconds (integers), shown in seconds.
      for (const bucket of buckets.data)
        for (const entry of bucket.results) entry.usage_seconds /= 1000;
      return buckets;
    },

    async vectorStores(query: UsageMeterQuery): Promise<UsagePage<UsageVectorStoresResult>> {
      const now = nowSeconds();
      const window = windowOf(query, now);
      const grouped = query.group_by.includes('project_id');
      const range = rangeOf(query, window, now);
      const first = window.starts[0]!;
      // Bytes stored when the first bucket starts, then each bucket's changes in order.
      const stored = await store.usage.meterTotals('stored_bytes', first, query.project_ids);
      const changes = await store.usage.listMeter({
        meter: 'stored_bytes',
        startTime: first,
        endTime: range.endTime,
        projectIds: query.project_ids,
      });
      let next = 0;
      const data = window.starts.map((start) => {
        const end = start + window.width;
        for (; next < changes.length && changes[next]!.minute < end; next++) {
          const change = changes[next]!;
          stored.set(change.projectId, (stored.get(change.projectId) ?? 0) + change.amount);
        }
        const results: UsageVectorStoresResult[] = grouped
          ? [...stored]
              .filter(([, bytes]) => bytes !== 0)
              .map(([project, bytes]) => ({
                object: 'organization.usage.vector_stores.result',
                usage_bytes: bytes,
                project_id: project,
              }))
          : stored.size === 0
            ? []
            : [
                {
                  object: 'organization.usage.vector_stores.result',
                  usage_bytes: [...stored.values()].reduce((sum, bytes) => sum + bytes, 0),
                  project_id: null,
                },
              ];
        return { object: 'bucket' as const, start_time: start, end_time: end, results };
      });
      return {
        object: 'page',
        data,
        has_more: window.nextPage !== null,
        next_page: window.nextPage,
      };
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;

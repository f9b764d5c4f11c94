/**
 * The time buckets of the usage and costs endpoints: a page of buckets aligned to their width, the
 * time range of its rows, and rows summed into each bucket's groups.
 */
import { InvalidRequestError } from '../../../domain/errors.ts';
import { BUCKET_SECONDS, type BucketWidth, type UsagePage } from '../../../domain/usage.ts';
import type { Store } from '../../../storage/store.ts';
import type { CostsQuery, UsageCompletionsQuery, UsageMeterQuery } from './usage.schemas.ts';

/** OpenAI's bucket counts per page: the default and the most, by bucket width. */
const LIMITS: Record<BucketWidth, { fallback: number; max: number }> = {
  '1m': { fallback: 60, max: 1440 },
  '1h': { fallback: 24, max: 168 },
  '1d': { fallback: 7, max: 31 },
};

export type Query = UsageCompletionsQuery | CostsQuery | UsageMeterQuery;

export interface Window {
  starts: number[];
  width: number;
  nextPage: string | null;
}

/** The buckets of this page: aligned to their width, from `page` (or the start) up to the end. */
export function windowOf(query: Query, now: number): Window {
  const width = BUCKET_SECONDS[query.bucket_width];
  const { fallback, max } = LIMITS[query.bucket_width];
  const limit = query.limit ?? fallback;
  if (limit > max)
    throw new InvalidRequestError(
      `limit must be at most ${max} with bucket_width=${query.bucket_width}.`,
      'limit',
    );
  const end = endOf(query, now);
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

/**
 * The query's end (exclusive): `end_time`, or else just after the current second. Rows are kept by
 * minute, so usage of this very second is in the row of a minute that may start at `now` itself
 * (`:00`): an end of `now` would leave it out until the next second.
 */
function endOf(query: Query, now: number): number {
  return query.end_time ?? now + 1;
}

/** The time range of this page's rows: the buckets', within the query's. */
export function rangeOf(query: Query, window: Window, now: number) {
  const last = window.starts[window.starts.length - 1]!;
  return {
    startTime: Math.max(query.start_time, window.starts[0]!),
    endTime: Math.min(endOf(query, now), last + window.width),
  };
}

export async function rowsOf(
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
export function page<Row extends { minute: number }, Result>(
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

/**
 * The organization's usage and costs, from the usage records runs leave when they end: rows of
 * project, key, model and minute, summed into the caller's time buckets and groups (costs:
 * `costs.ts`). Code interpreter sessions and seconds, and stored bytes, come from the usage meters the same way;
 * stored bytes are a level, not a flow: each bucket shows what was stored at its end.
 */
import type { ModelPrice, UsagePrices } from '../../../config/config-schema.ts';
import { nowSeconds } from '../../../domain/clock.ts';
import {
  type CostsResult,
  type UsageCodeInterpreterSessionsResult,
  type UsageCompletionsResult,
  type UsagePage,
  type UsageVectorStoresResult,
} from '../../../domain/usage.ts';
import type { Store, UsageRow } from '../../../storage/store.ts';
import { costs } from './costs.ts';
import { page, rangeOf, rowsOf, windowOf } from './usage-buckets.ts';
import type { CostsQuery, UsageCompletionsQuery, UsageMeterQuery } from './usage.schemas.ts';

export function createUsageService({
  store,
  prices,
  usagePrices = {},
}: {
  store: Store;
  prices: Record<string, ModelPrice>;
  usagePrices?: UsagePrices;
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

    costs(query: CostsQuery): Promise<UsagePage<CostsResult>> {
      return costs(store, query, nowSeconds(), { models: prices, usage: usagePrices });
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
      const stored = new Map<string, number>();
      for (const total of await store.usage.meterTotals('stored_bytes', first, query.project_ids))
        stored.set(total.projectId, (stored.get(total.projectId) ?? 0) + total.amount);
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

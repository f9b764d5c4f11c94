/** Limits on Kysely: overrides, and counters spent with one upsert per request and scope. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { LimitCounter, LimitsRepository } from '../ports/limits-port.ts';
import type { Database, LimitCountersTable } from './database.ts';

function toCounter(row: Selectable<LimitCountersTable>): LimitCounter {
  return {
    minuteStart: Number(row.minute_start),
    requests: Number(row.requests),
    dayStart: Number(row.day_start),
    tokens: Number(row.tokens),
  };
}

const RUNNING = ['queued', 'in_progress', 'cancelling'];

const value = (column: number | null) => (column === null ? null : Number(column));

export function limitsRepository(db: Kysely<Database>): LimitsRepository {
  return {
    async listOverrides(projectId) {
      const rows = await db
        .selectFrom('limit_overrides')
        .selectAll()
        .where('project_id', '=', projectId)
        .execute();
      return rows.map((row) => ({
        projectId: row.project_id,
        apiKeyId: row.api_key_id === '' ? null : row.api_key_id,
        limits: {
          max_requests_per_1_minute: value(row.max_requests_per_1_minute),
          max_tokens_per_1_day: value(row.max_tokens_per_1_day),
          max_concurrent_runs: value(row.max_concurrent_runs),
          max_stored_bytes: value(row.max_stored_bytes),
        },
      }));
    },

    async putOverride({ projectId, apiKeyId, limits }) {
      await db
        .insertInto('limit_overrides')
        .values({ project_id: projectId, api_key_id: apiKeyId ?? '', ...limits })
        .onConflict((conflict) =>
          conflict.columns(['project_id', 'api_key_id']).doUpdateSet({ ...limits }),
        )
        .execute();
    },

    async takeRequests(scope, minute, day, limit, count) {
      if (count > limit) return undefined;
      // A row of an older minute starts the new one at `count`; a row of this minute adds `count`
      // only while the sum stays within `limit`.
      const row = await db
        .insertInto('limit_counters')
        .values({ scope, minute_start: minute, requests: count, day_start: day, tokens: 0 })
        .onConflict((conflict) =>
          conflict
            .column('scope')
            .doUpdateSet({
              requests: sql`case when limit_counters.minute_start = excluded.minute_start
                  then limit_counters.requests + excluded.requests else excluded.requests end`,
              minute_start: sql`excluded.minute_start`,
            })
            .where((eb) =>
              eb.or([
                eb('limit_counters.minute_start', '<>', eb.ref('excluded.minute_start')),
                eb('limit_counters.requests', '<=', limit - count),
              ]),
            ),
        )
        .returningAll()
        .executeTakeFirst();
      return row && toCounter(row);
    },

    async readCounter(scope) {
      const row = await db
        .selectFrom('limit_counters')
        .selectAll()
        .where('scope', '=', scope)
        .executeTakeFirst();
      return row && toCounter(row);
    },

    async addTokens(scope, day, tokens) {
      await db
        .insertInto('limit_counters')
        .values({ scope, minute_start: 0, requests: 0, day_start: day, tokens })
        .onConflict((conflict) =>
          conflict.column('scope').doUpdateSet({
            tokens: sql`case when limit_counters.day_start = excluded.day_start
              then limit_counters.tokens + excluded.tokens else excluded.tokens end`,
            day_start: sql`excluded.day_start`,
          }),
        )
        .execute();
    },

    async lockScope(scope) {
      // An update that changes nothing still takes the row lock on PostgreSQL; SQLite's
      // transactions already hold the write lock (BEGIN IMMEDIATE).
      await db
        .insertInto('limit_counters')
        .values({ scope, minute_start: 0, requests: 0, day_start: 0, tokens: 0 })
        .onConflict((conflict) =>
          conflict.column('scope').doUpdateSet({ scope: sql`excluded.scope` }),
        )
        .execute();
    },

    async countRunningRuns(projectId, apiKeyId) {
      let query = db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('project_id', '=', projectId)
        .where('status', 'in', RUNNING);
      if (apiKeyId) query = query.where('api_key_id', '=', apiKeyId);
      const row = await query.executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    async storedBytes(projectId, apiKeyId) {
      // What the `stored_bytes` meter counts (migration 0017); a key's own are the files it uploaded.
      if (apiKeyId) {
        const row = await db
          .selectFrom('files')
          .select((eb) => eb.fn.sum<number | null>('bytes').as('bytes'))
          .where('project_id', '=', projectId)
          .where('api_key_id', '=', apiKeyId)
          .executeTakeFirst();
        return Number(row?.bytes ?? 0);
      }
      const projectStoredBytes = sql<{ bytes: number | string }>`select
          (select coalesce(sum(bytes), 0) from files where project_id = ${projectId})
        + (select coalesce(sum(bytes), 0) from container_files where project_id = ${projectId})
        + (select coalesce(sum(usage_bytes), 0) from vector_store_files
            where project_id = ${projectId}) as bytes`;
      return Number((await projectStoredBytes.execute(db)).rows[0]?.bytes ?? 0);
    },
  };
}

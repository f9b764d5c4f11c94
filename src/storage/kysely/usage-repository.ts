/** Usage records and meters on Kysely: one upsert per ended run or metered event, one range scan per report. */
import { sql, type Kysely } from 'kysely';
import type { UsageEntry, UsageRepository } from '../ports/usage-port.ts';
import type { Database, Dialect } from './database.ts';
import { executeWritten, writtenSql, type WrittenStatement } from './written-sql.ts';

/**
 * A run's usage, added to its minute's row (the final transaction of every run writes it): written
 * out, see written-sql.ts.
 */
const RECORD_USAGE = writtenSql(
  'insert into "usage_records" ("project_id", "api_key_id", "model", "minute", "input_tokens", ' +
    '"output_tokens", "model_requests") values (?, ?, ?, ?, ?, ?, ?) ' +
    'on conflict ("minute", "project_id", "api_key_id", "model") do update set ' +
    '"input_tokens" = usage_records.input_tokens + excluded.input_tokens, ' +
    '"output_tokens" = usage_records.output_tokens + excluded.output_tokens, ' +
    '"model_requests" = usage_records.model_requests + excluded.model_requests',
);

/** A run's usage record, as written out. */
export function usageRecord(entry: UsageEntry): WrittenStatement {
  return {
    sql: RECORD_USAGE,
    parameters: [
      entry.projectId,
      entry.apiKeyId ?? '',
      entry.model,
      Math.floor(entry.endedAt / 60) * 60,
      entry.inputTokens,
      entry.outputTokens,
      entry.modelRequests,
    ],
  };
}

export function usageRepository(db: Kysely<Database>, dialect: Dialect): UsageRepository {
  return {
    async record(entry) {
      const { sql: statement, parameters } = usageRecord(entry);
      await executeWritten(db, dialect, statement, parameters);
    },
    async list(query) {
      let select = db
        .selectFrom('usage_records')
        .selectAll()
        .where('minute', '>=', Math.floor(query.startTime / 60) * 60)
        .where('minute', '<', query.endTime);
      if (query.projectIds?.length) select = select.where('project_id', 'in', query.projectIds);
      if (query.apiKeyIds?.length) select = select.where('api_key_id', 'in', query.apiKeyIds);
      if (query.models?.length) select = select.where('model', 'in', query.models);
      const rows = await select.orderBy('minute').execute();
      return rows.map((row) => ({
        projectId: row.project_id,
        apiKeyId: row.api_key_id === '' ? null : row.api_key_id,
        model: row.model,
        minute: Number(row.minute),
        inputTokens: Number(row.input_tokens),
        outputTokens: Number(row.output_tokens),
        modelRequests: Number(row.model_requests),
      }));
    },
    async addMeter(entry) {
      await db
        .insertInto('usage_meters')
        .values({
          project_id: entry.projectId,
          api_key_id: entry.apiKeyId ?? '',
          meter: entry.meter,
          minute: Math.floor(entry.at / 60) * 60,
          amount: entry.amount,
        })
        .onConflict((conflict) =>
          conflict.columns(['meter', 'minute', 'project_id', 'api_key_id']).doUpdateSet({
            amount: sql`usage_meters.amount + excluded.amount`,
          }),
        )
        .execute();
    },
    async listMeter(query) {
      let select = db
        .selectFrom('usage_meters')
        .selectAll()
        .where('meter', '=', query.meter)
        .where('minute', '>=', Math.floor(query.startTime / 60) * 60)
        .where('minute', '<', query.endTime);
      if (query.projectIds?.length) select = select.where('project_id', 'in', query.projectIds);
      const rows = await select.orderBy('minute').execute();
      return rows.map((row) => ({
        projectId: row.project_id,
        apiKeyId: row.api_key_id === '' ? null : row.api_key_id,
        minute: Number(row.minute),
        amount: Number(row.amount),
      }));
    },
    async meterTotals(meter, before, projectIds) {
      let select = db
        .selectFrom('usage_meters')
        .select([
          'project_id',
          'api_key_id',
          (eb) => eb.fn.sum<number | string>('amount').as('amount'),
        ])
        .where('meter', '=', meter)
        .where('minute', '<', before)
        .groupBy(['project_id', 'api_key_id']);
      if (projectIds?.length) select = select.where('project_id', 'in', projectIds);
      const rows = await select.execute();
      return rows.map((row) => ({
        projectId: row.project_id,
        apiKeyId: row.api_key_id === '' ? null : row.api_key_id,
        amount: Number(row.amount),
      }));
    },
  };
}

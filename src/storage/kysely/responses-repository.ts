/** Responses on Kysely, for both dialects. */
import type { Kysely, Selectable } from 'kysely';
import type { Response, ResponseRecord } from '../../domain/response.ts';
import type { ConversationItem, InputItem } from '../../domain/response-item.ts';
import type { ResponseRepository } from '../ports/responses-port.ts';
import type { Database, ResponsesTable } from './database.ts';
import { fromJson, toJson } from './json-column.ts';

/**
 * The `input` column: the input items, or `{history, input}` for a response that carries the items
 * of an unstored chain before it (`ResponseRecord.history`), so no migration was needed for them.
 */
type InputColumn = InputItem[] | { history: ConversationItem[]; input: InputItem[] };

function toRecord(row: Selectable<ResponsesTable>): ResponseRecord {
  const column = fromJson<InputColumn>(row.input);
  return {
    projectId: row.project_id,
    response: fromJson<Response>(row.object),
    ...(Array.isArray(column) ? { input: column } : column),
    runId: row.run_id,
    threadId: row.thread_id,
    afterSeq: Number(row.after_seq),
  };
}

export function responsesRepository(db: Kysely<Database>): ResponseRepository {
  return {
    async insert(record) {
      const { response } = record;
      await db
        .insertInto('responses')
        .values({
          id: response.id,
          project_id: record.projectId,
          created_at: response.created_at,
          status: response.status,
          run_id: record.runId,
          thread_id: record.threadId,
          after_seq: record.afterSeq,
          previous_response_id: response.previous_response_id,
          object: toJson(response),
          input: toJson(
            (record.history
              ? { history: record.history, input: record.input }
              : record.input) satisfies InputColumn,
          ),
        })
        .execute();
    },
    async find(projectId, id) {
      const row = await db
        .selectFrom('responses')
        .selectAll()
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async findByRun(runId, seq) {
      let query = db.selectFrom('responses').selectAll().where('run_id', '=', runId);
      if (seq !== undefined) query = query.where('after_seq', '<=', seq);
      const row = await query.orderBy('after_seq', 'desc').limit(1).executeTakeFirst();
      return row && toRecord(row);
    },
    async update(projectId, record) {
      const result = await db
        .updateTable('responses')
        .set({ status: record.response.status, object: toJson(record.response) })
        .where('id', '=', record.response.id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(projectId, id) {
      const result = await db
        .deleteFrom('responses')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async countByRun(runId) {
      const row = await db
        .selectFrom('responses')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('run_id', '=', runId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}

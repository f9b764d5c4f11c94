/** Run events on Kysely: an append-only log per run, ordered by seq. */
import type { Kysely } from 'kysely';
import type { RunEvent, RunEventName } from '../../domain/run-event.ts';
import type { RunEventRepository } from '../ports/runs-port.ts';
import type { Database } from './database.ts';

export function runEventsRepository(db: Kysely<Database>): RunEventRepository {
  return {
    async append(events) {
      if (events.length === 0) return;
      await db
        .insertInto('run_events')
        .values(
          events.map((event) => ({
            run_id: event.runId,
            seq: event.seq,
            event: event.event,
            data: event.data,
          })),
        )
        .execute();
    },
    async listAfter(runId, afterSeq, limit) {
      const rows = await db
        .selectFrom('run_events')
        .selectAll()
        .where('run_id', '=', runId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((row): RunEvent => ({
        runId: row.run_id,
        seq: Number(row.seq),
        event: row.event as RunEventName,
        data: row.data,
      }));
    },
    async lastSeq(runId) {
      const row = await db
        .selectFrom('run_events')
        .select((builder) => builder.fn.max('seq').as('seq'))
        .where('run_id', '=', runId)
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
  };
}

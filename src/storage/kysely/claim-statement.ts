/**
 * The worker's claim (`runs.claimNext`), compiled once: it runs once per run and whenever a worker
 * looks for work. It leases the oldest claimable run (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and
 * returns it with its last seq, which the run's writer starts from (no read of its own), and on
 * PostgreSQL a new run's thread messages, which its first turn reads (a round trip saved).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, Dialect, RunsTable } from './database.ts';
import { preparedQuery } from './prepared-query.ts';

export function claimStatement(db: Kysely<Database>, dialect: Dialect) {
  return preparedQuery<
    Selectable<RunsTable> & { last_seq: number | string | null; thread_messages?: string | null }
  >(db, 3, (...markers) => {
    const [workerId, now, leaseUntil] = markers as [never, never, never];
    const claimable = db
      .selectFrom('runs')
      .select('id')
      .where((builder) =>
        builder.or([
          builder('status', '=', 'queued').and(
            builder.or([builder('lease_until', 'is', null), builder('lease_until', '<', now)]),
          ),
          builder('status', 'in', ['in_progress', 'cancelling']).and(
            builder('lease_until', '<', now),
          ),
        ]),
      )
      .orderBy('created_at')
      .limit(1);
    const candidate = dialect === 'postgres' ? claimable.forUpdate().skipLocked() : claimable;
    const claimed = db
      .updateTable('runs')
      .set({ locked_by: workerId, lease_until: leaseUntil })
      .where('id', '=', (builder) =>
        builder.selectFrom(candidate.as('candidate')).select('candidate.id'),
      )
      .where((builder) =>
        builder.or([builder('lease_until', 'is', null), builder('lease_until', '<', now)]),
      )
      .returningAll()
      .returning((builder) =>
        builder
          .selectFrom('run_events')
          .select((events) => events.fn.max('run_events.seq').as('seq'))
          .whereRef('run_events.run_id', '=', 'runs.id')
          .as('last_seq'),
      );
    if (dialect !== 'postgres') return claimed;
    // The stored JSON objects joined into one array (parsed once), only for a run that never
    // started: `RunContext.load` hands no other run its messages.
    return claimed.returning(
      sql<string | null>`case when "runs"."status" = 'queued'
        and ("runs"."object"::jsonb ->> 'started_at') is null
        then coalesce((select '[' || string_agg("object", ',' order by "created_at", "id") || ']'
          from "messages"
          where "thread_id" = "runs"."thread_id" and "project_id" = "runs"."project_id"), '[]')
        end`.as('thread_messages'),
    );
  });
}

/** Run events on Kysely: an append-only log per run, ordered by seq. */
import { CompiledQuery, type Kysely } from 'kysely';
import type { RunEvent, RunEventName } from '../../domain/run-event.ts';
import type { RunEventNotifications, RunEventRepository } from '../ports/runs-port.ts';
import type { Database, Dialect } from './database.ts';

/** A memo of constant SQL text by dialect and row count (no state: every store may share it). */
const insertTexts: Record<Dialect, string[]> = { sqlite: [], postgres: [] };

/** `insert into run_events … values (…), (…)` for `rows` rows, in the dialect's placeholders. */
function insertText(dialect: Dialect, rows: number): string {
  let text = insertTexts[dialect][rows];
  if (text) return text;
  const placeholder = dialect === 'postgres' ? (index: number) => `$${index + 1}` : () => '?';
  const values = Array.from({ length: rows }, (_, row) => {
    const first = row * 4;
    return `(${[0, 1, 2, 3].map((column) => placeholder(first + column)).join(', ')})`;
  });
  text = `insert into "run_events" ("run_id", "seq", "event", "data") values ${values.join(', ')}`;
  if (rows <= 64) insertTexts[dialect][rows] = text;
  return text;
}

/** The notifications a PostgreSQL store sends with the events it stores, once the bus hands them over. */
export interface EventNotifier {
  notifications?: RunEventNotifications;
}

/**
 * `insert` with `pg_notify` of each payload in the same statement (PostgreSQL): the insert runs as a
 * data-modifying CTE, so if it fails nothing is sent, and the notifications, queued in the statement's
 * transaction, are delivered in order at its commit.
 */
function withNotifications(insert: string, first: number, payloads: number): string {
  const values = Array.from({ length: payloads }, (_, index) => `($${first + 1 + index}::text)`);
  return (
    `with stored as (${insert}) select pg_notify($${first}, payload) ` +
    `from (values ${values.join(', ')}) as notification(payload)`
  );
}

/**
 * Stores `events` in one statement, with their notifications when `notifier` has them. Written out
 * rather than built with the query builder: this is the statement of every streamed token, and
 * building and compiling it each time was a visible part of a run's CPU time.
 */
export async function insertRunEvents(
  db: Kysely<Database>,
  dialect: Dialect,
  events: readonly RunEvent[],
  notifier?: EventNotifier,
): Promise<void> {
  if (events.length === 0) return;
  const parameters: unknown[] = [];
  for (const event of events) parameters.push(event.runId, event.seq, event.event, event.data);
  let text = insertText(dialect, events.length);
  const notifications = notifier?.notifications?.(events);
  if (notifications && notifications.payloads.length > 0) {
    text = withNotifications(text, parameters.length + 1, notifications.payloads.length);
    parameters.push(notifications.channel, ...notifications.payloads);
  }
  await db.executeQuery(CompiledQuery.raw(text, parameters));
}

export function runEventsRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  notifier?: EventNotifier,
): RunEventRepository {
  return {
    append: (events) => insertRunEvents(db, dialect, events, notifier),
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

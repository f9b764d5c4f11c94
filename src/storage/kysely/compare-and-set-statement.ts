/**
 * A run's writes as one PostgreSQL statement, where a transaction takes a round trip for each
 * statement and two more (begin, commit): a status compare-and-set, the rows it closes or opens (a
 * message, a step, the usage record of a run's end) and the insert of its events, as data-modifying
 * CTEs. With a status change, every other write depends on the update having matched, so a lost race
 * writes nothing; a taken seq (or any failing write) fails the whole statement, update included.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Run, RunStatus } from '../../domain/run.ts';
import type { RunEvent } from '../../domain/run-event.ts';
import { isTerminal } from '../../domain/run-status.ts';
import type { Announcement, RunHolder } from '../ports/runs-port.ts';
import type { AnnouncedWrite } from './announced-write.ts';
import type { Database } from './database.ts';
import { threadLockCall } from './thread-lock.ts';
import type { WrittenStatement } from './written-sql.ts';

export interface CompareAndSet {
  run: Run;
  expectedStatus: RunStatus;
  workerId?: string | undefined;
}

export interface OneStatementWrite {
  projectId: string;
  /** The compare-and-set the other writes depend on; without it they are stored as they are. */
  status?: CompareAndSet | undefined;
  /**
   * Without `status`: the worker that must still hold the run for anything to be written (its runs
   * row read `for share`, so a takeover commits before or after the whole write).
   */
  heldBy?: RunHolder | undefined;
  /**
   * Single-row inserts (`insert … values (…)`, an `on conflict` clause allowed) and updates, written
   * out with `?` placeholders; each row written once (the CTEs of one statement do not see each
   * other's rows).
   */
  statements?: readonly WrittenStatement[];
  /** The events to append, their seqs already assigned. */
  events: readonly RunEvent[];
  /**
   * A transaction-level advisory lock to hold before `statements[before]` (an insert) writes its
   * row: its key (see thread-lock.ts). The insert reads from the lock's CTE, so it waits for it.
   */
  lock?: { key: string; before: number } | undefined;
  /**
   * A query (`select 1 from … where …`, `?` placeholders) that must find a row for anything to be
   * written, like the status update: a row still at the version the writes were built from.
   */
  requires?: WrittenStatement | undefined;
}

/** `insert into … (…) values (…)` of one row, and what follows it (an `on conflict` clause). */
export const SINGLE_ROW_INSERT = /^(insert into .+?\)) values \(([^()]*)\)(.*)$/s;

/**
 * A statement's text, made to write only when `gate` holds (the status update matched, the required
 * row was found, the worker still holds the run), and, an insert, only once the lock is held
 * (`locked`): an update or delete gets `and gate`, a single-row insert becomes `insert … select …`.
 */
export function gated(text: string, gate: string | undefined, locked = false): string {
  if (!gate && !locked) return text;
  if ((text.startsWith('update ') || text.startsWith('delete ')) && !locked)
    return `${text} and ${gate}`;
  const insert = SINGLE_ROW_INSERT.exec(text);
  if (!insert) throw new Error(`Not a single-row insert, an update or a delete: ${text}`);
  // `insert … select …` takes each value's type from its column, as `values` does.
  const from = locked ? ' from locked' : '';
  const where = gate ? ` where ${gate}` : '';
  return `${insert[1]} select ${insert[2]}${from}${where}${insert[3]}`;
}

/**
 * Runs the writes; true when they were stored (with a status change: when it matched; with a
 * required row: when it was found). `announced`:
 * the notifications of the events, sent after the statement's commit in its round trip.
 */
export async function writeInOneStatement(
  db: Kysely<Database>,
  { projectId, status, heldBy, statements = [], events, lock, requires }: OneStatementWrite,
  announced?: { announcement: Announcement; announcedWrite: AnnouncedWrite },
): Promise<boolean> {
  const parameters: unknown[] = [];
  const parameter = (value: unknown, type = ''): string => {
    parameters.push(value);
    return `$${parameters.length}${type}`;
  };
  const tables: string[] = [];
  /** The CTEs every write depends on: the status update, the required row. */
  const gates: string[] = [];
  const written = (text: string, values: readonly unknown[]) => {
    let next = 0;
    return text.replace(/\?/g, () => parameter(values[next++]));
  };
  if (requires) {
    tables.push(`required as (${written(requires.sql.sqlite, requires.parameters)})`);
    gates.push('required');
  }
  if (status) {
    const { run, expectedStatus, workerId } = status;
    const assignments = [
      `"status" = ${parameter(run.status)}`,
      `"expires_at" = ${parameter(run.expires_at)}`,
      `"object" = ${parameter(JSON.stringify(run))}`,
    ];
    if (isTerminal(run.status)) assignments.push(`"locked_by" = null`, `"lease_until" = 0`);
    const conditions = [
      `"id" = ${parameter(run.id)}`,
      `"project_id" = ${parameter(projectId)}`,
      `"status" = ${parameter(expectedStatus)}`,
    ];
    if (workerId !== undefined) conditions.push(`"locked_by" = ${parameter(workerId)}`);
    tables.push(
      `updated as (update "runs" set ${assignments.join(', ')} ` +
        `where ${conditions.join(' and ')} returning 1)`,
    );
    gates.push('updated');
  }
  // Without a status change, a worker's write depends on its still holding the run.
  if (!status && heldBy) {
    tables.push(
      `held as (select 1 from "runs" where "id" = ${parameter(heldBy.runId)} ` +
        `and "locked_by" = ${parameter(heldBy.workerId)} for share)`,
    );
    gates.push('held');
  }
  const gate =
    gates.length > 0
      ? gates.map((table) => `exists (select 1 from ${table})`).join(' and ')
      : undefined;
  statements.forEach((statement, index) => {
    const locked = lock?.before === index;
    if (locked) tables.push(`locked as (select ${threadLockCall(parameter(lock.key))})`);
    const text = written(statement.sql.sqlite, statement.parameters);
    tables.push(`written${index} as (${gated(text, gate, locked)})`);
  });
  if (events.length > 0) {
    const rows = events.map(
      (event) =>
        `(${parameter(event.runId, '::text')}, ${parameter(event.seq, '::bigint')}, ` +
        `${parameter(event.event, '::text')}, ${parameter(event.data, '::text')})`,
    );
    tables.push(
      `stored as (insert into "run_events" ("run_id", "seq", "event", "data") ` +
        `select * from (values ${rows.join(', ')}) as event(run_id, seq, event, data)` +
        (gate ? ` where ${gate})` : ')'),
    );
  }
  if (tables.length === 0) return true;
  const text = `with ${tables.join(', ')} select 1${gates.length > 0 ? ` from ${gates.join(', ')}` : ''}`;
  if (announced)
    return (await announced.announcedWrite(text, parameters, announced.announcement)) > 0;
  const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
  return result.rows.length > 0;
}

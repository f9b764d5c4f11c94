/**
 * A run's compare-and-set as one PostgreSQL statement: the status update and the insert of its events,
 * where a transaction takes four round trips (begin, update, insert, commit). The insert depends on
 * the update having matched (a data-modifying CTE), so a lost race writes nothing; a taken seq fails
 * the whole statement, update included.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Run, RunStatus } from '../../domain/run.ts';
import type { RunEvent } from '../../domain/run-event.ts';
import { isTerminal } from '../../domain/run-status.ts';
import type { Database } from './database.ts';

export interface CompareAndSet {
  projectId: string;
  run: Run;
  expectedStatus: RunStatus;
  /** The events to append, their seqs already assigned. */
  events: readonly RunEvent[];
  workerId: string | undefined;
}

/** Runs the compare-and-set; true when the run was written (and its events stored). */
export async function compareAndSetInOneStatement(
  db: Kysely<Database>,
  { projectId, run, expectedStatus, events, workerId }: CompareAndSet,
): Promise<boolean> {
  const parameters: unknown[] = [];
  const parameter = (value: unknown, type = ''): string => {
    parameters.push(value);
    return `$${parameters.length}${type}`;
  };
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
  let text =
    `with updated as (update "runs" set ${assignments.join(', ')} ` +
    `where ${conditions.join(' and ')} returning 1)`;
  if (events.length > 0) {
    const rows = events.map(
      (event) =>
        `(${parameter(event.runId, '::text')}, ${parameter(event.seq, '::bigint')}, ` +
        `${parameter(event.event, '::text')}, ${parameter(event.data, '::text')})`,
    );
    text +=
      `, stored as (insert into "run_events" ("run_id", "seq", "event", "data") ` +
      `select * from (values ${rows.join(', ')}) as event(run_id, seq, event, data) ` +
      `where exists (select 1 from updated))`;
  }
  text += ' select 1 from updated';
  const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
  return result.rows.length > 0;
}

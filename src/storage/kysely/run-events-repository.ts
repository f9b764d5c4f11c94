/** Run events on Kysely: an append-only log per run, ordered by seq. */
import { CompiledQuery, type Kysely } from 'kysely';
import type { RunEvent, RunEventName } from '../../domain/run-event.ts';
import type { RunEventRepository } from '../ports/runs-port.ts';
import type { AnnouncedWrite } from './announced-write.ts';
import type { DirectStatements } from './direct-statements.ts';
import type { Database, Dialect } from './database.ts';
import { executeWritten, writtenSql, type WrittenSql } from './written-sql.ts';

/**
 * A run's events after a seq, and its last seq: written out like the insert, since a stream that was
 * not handed its run's first events (a run a worker claimed, a resumed stream) reads both per run.
 * The limit is written into the text (callers pass a few constants): SQLite re-prepares an
 * `order by … limit ?` whenever its limit is bound again (see sqlite-query-compiler.ts).
 */
const listAfterTexts = new Map<number, WrittenSql>();

function listAfterSql(limit: number): WrittenSql {
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new RangeError(`A page of run events takes a whole number of events, not ${limit}.`);
  let text = listAfterTexts.get(limit);
  if (!text) {
    text = writtenSql(
      `select "run_id", "seq", "event", "data" from "run_events" where "run_id" = ? and "seq" > ? order by "seq" limit ${limit}`,
    );
    if (listAfterTexts.size < 64) listAfterTexts.set(limit, text);
  }
  return text;
}
const LAST_SEQ = writtenSql('select max("seq") as "seq" from "run_events" where "run_id" = ?');

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

/** Thrown by an append made for a worker that no longer holds every run of its events. */
export class RunsNotHeldError extends Error {
  override name = 'RunsNotHeldError';
}

/** A memo of the insert's text made conditional on the runs being held, by `rows:runs`. */
const heldInsertTexts: Record<Dialect, Map<string, string>> = {
  sqlite: new Map(),
  postgres: new Map(),
};

/**
 * The insert of `rows` rows of `runs` runs, written only if one worker holds every one of the runs
 * (all rows or none): `insert … select * from (values …) where (count of the runs held) = runs`, the
 * run ids and the worker id after the rows' parameters. On PostgreSQL the runs rows are read `for
 * share`: a takeover being committed is waited for, and one cannot commit until the insert does.
 */
function heldInsertText(dialect: Dialect, rows: number, runs: number): string {
  const key = `${rows}:${runs}`;
  let text = heldInsertTexts[dialect].get(key);
  if (text) return text;
  const postgres = dialect === 'postgres';
  const placeholder = postgres ? (index: number) => `$${index + 1}` : () => '?';
  const types = postgres ? ['::text', '::bigint', '::text', '::text'] : ['', '', '', ''];
  const values = Array.from({ length: rows }, (_, row) => {
    const first = row * 4;
    return `(${types.map((type, column) => placeholder(first + column) + type).join(', ')})`;
  });
  const ids = Array.from({ length: runs }, (_, run) => placeholder(rows * 4 + run));
  const held =
    `select 1 from "runs" where "id" in (${ids.join(', ')}) ` +
    `and "locked_by" = ${placeholder(rows * 4 + runs)}${postgres ? ' for share' : ''}`;
  text =
    `insert into "run_events" ("run_id", "seq", "event", "data") ` +
    `select * from (values ${values.join(', ')})${postgres ? ' as event(run_id, seq, event, data)' : ''} ` +
    `where (select count(*) from (${held}) as held) = ${runs}`;
  if (heldInsertTexts[dialect].size < 256) heldInsertTexts[dialect].set(key, text);
  return text;
}

/** `events`' insert, stored only while `workerId` holds all their runs (see `heldInsertText`). */
function heldInsert(dialect: Dialect, events: readonly RunEvent[], workerId: string) {
  const runs = [...new Set(events.map((event) => event.runId))];
  return {
    text: heldInsertText(dialect, events.length, runs.length),
    parameters: [...eventParameters(events), ...runs, workerId],
  };
}

/**
 * Stores `events` in one statement. Written out rather than built with the query builder: this is
 * the statement of every streamed token, and building and compiling it each time was a visible part
 * of a run's CPU time. `heldBy`: stores them only while that worker holds their runs; false, storing
 * nothing, when it does not.
 */
export async function insertRunEvents(
  db: Kysely<Database>,
  dialect: Dialect,
  events: readonly RunEvent[],
  heldBy?: string,
): Promise<boolean> {
  if (events.length === 0) return true;
  if (heldBy === undefined) {
    await db.executeQuery(
      CompiledQuery.raw(insertText(dialect, events.length), eventParameters(events)),
    );
    return true;
  }
  const { text, parameters } = heldInsert(dialect, events, heldBy);
  const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
  return Number(result.numAffectedRows ?? 0) === events.length;
}

function eventParameters(events: readonly RunEvent[]): unknown[] {
  const parameters: unknown[] = [];
  for (const event of events) parameters.push(event.runId, event.seq, event.event, event.data);
  return parameters;
}

/**
 * `announcedWrite`: how the adapter announces a write's events itself (PostgreSQL, outside
 * transactions). `direct`: statements an in-process database runs at once (SQLite, outside
 * transactions): a batch of tokens is then one statement on the connection, without Kysely's executor.
 */
export function runEventsRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  announcedWrite?: AnnouncedWrite,
  direct?: DirectStatements,
): RunEventRepository {
  return {
    async append(events, announcement, heldBy) {
      if (events.length === 0) return;
      const { text, parameters } =
        heldBy === undefined
          ? { text: insertText(dialect, events.length), parameters: eventParameters(events) }
          : heldInsert(dialect, events, heldBy);
      const stored = direct?.run(text, parameters);
      let written: boolean;
      if (stored !== undefined) written = stored === events.length;
      else if (!announcement || !announcedWrite)
        written = await insertRunEvents(db, dialect, events, heldBy);
      else written = (await announcedWrite(text, parameters, announcement)) === events.length;
      if (!written)
        throw new RunsNotHeldError(`Worker ${heldBy} no longer holds every run of these events.`);
    },
    async listAfter(runId, afterSeq, limit) {
      const { rows } = await executeWritten<{
        run_id: string;
        seq: number | string;
        event: string;
        data: string;
      }>(db, dialect, listAfterSql(limit), [runId, afterSeq]);
      return rows.map((row): RunEvent => ({
        runId: row.run_id,
        seq: Number(row.seq),
        event: row.event as RunEventName,
        data: row.data,
      }));
    },
    async lastSeq(runId) {
      const { rows } = await executeWritten<{ seq: number | string | null }>(
        db,
        dialect,
        LAST_SEQ,
        [runId],
      );
      return Number(rows[0]?.seq ?? 0);
    },
  };
}

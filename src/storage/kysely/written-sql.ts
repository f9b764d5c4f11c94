/**
 * Statements written out in SQL, for the writes every run makes (its status changes, its answer's
 * message and step, its usage record). The query builder builds and compiles a query's syntax tree on
 * every call, which was a visible share of a run's CPU; these texts are fixed, so SQLite's driver
 * reuses one prepared statement for each. Placeholders are written `?` and numbered for PostgreSQL.
 */
import { CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database, Dialect } from './database.ts';

/** One statement's text in each dialect. */
export type WrittenSql = Readonly<Record<Dialect, string>>;

/** `text` as SQLite takes it (`?`), and with PostgreSQL's `$1, $2…`; `text` holds no other `?`. */
export function writtenSql(text: string): WrittenSql {
  let index = 0;
  return { sqlite: text, postgres: text.replace(/\?/g, () => `$${++index}`) };
}

/** A written statement with its parameters, in order of its placeholders. */
export interface WrittenStatement {
  sql: WrittenSql;
  parameters: readonly unknown[];
}

/** Runs `statement` with `parameters`, in order of its placeholders. */
export function executeWritten<Row = never>(
  db: Kysely<Database>,
  dialect: Dialect,
  statement: WrittenSql,
  parameters: readonly unknown[],
): Promise<QueryResult<Row>> {
  return db.executeQuery<Row>(CompiledQuery.raw(statement[dialect], parameters as unknown[]));
}

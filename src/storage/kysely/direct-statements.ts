/**
 * Statements run at once on an in-process database, beside Kysely's executor, for the hottest requests
 * (a message posted, a thread's first page listed). Kysely's path costs a few promises, a query id and
 * a row object per row; a synchronous driver (SQLite) can answer without them. Only the store outside
 * a transaction has one, and it answers only while no transaction holds the connection: `undefined`
 * means "not now", and the caller goes through Kysely (which waits for the connection) instead.
 */
export interface DirectStatements {
  /** The rows as arrays of column values in select order, or undefined: go through Kysely. */
  rows(sql: string, parameters: readonly unknown[]): unknown[][] | undefined;
  /** The number of rows changed, or undefined: go through Kysely. */
  run(sql: string, parameters: readonly unknown[]): number | undefined;
}

/**
 * Kysely's SQLite compiler, with a query's row limit written into its text when it is a plain
 * integer. SQLite (3.53, as better-sqlite3 ships it) plans an `order by … limit ?` with the bound
 * limit's value, so binding that parameter again expires the prepared statement: every call of a
 * cached statement with `limit ?` is parsed and planned anew (the worker's claim, run on every
 * look for work, twice a run in a busy `serve` process). A literal limit keeps the statement, at the
 * cost of one cached statement per distinct limit (the API's pages take at most 100).
 */
import { LimitNode, SqliteQueryCompiler, ValueNode } from 'kysely';

export class LiteralLimitSqliteQueryCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    const limit = ValueNode.is(node.limit) ? node.limit.value : undefined;
    if (typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 0)
      this.append(`limit ${limit}`);
    else super.visitLimit(node);
  }
}

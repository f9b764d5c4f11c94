/**
 * A Kysely driver for one better-sqlite3 connection, replacing Kysely's own for speed:
 * prepared statements are cached by SQL text (Kysely's driver prepares every query again), and the
 * connection lock is a FIFO queue (Kysely's wakes every waiter on each release). Everything else
 * follows Kysely's SqliteDriver: one connection, a lock held for a transaction's whole life. A
 * statement that still finds the file locked by another process after the busy timeout fails as a
 * 503 `database_unavailable` (retry later), not a 500.
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import { databaseUnavailable } from '../database-unavailable.ts';

const STATEMENT_CACHE_SIZE = 1000;

class CachedStatementConnection implements DatabaseConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly database: BetterSqlite3.Database) {}

  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE)
        this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // Not `async`: better-sqlite3 answers synchronously, so the result is wrapped once (every query).
  executeQuery<Row>(compiledQuery: CompiledQuery): Promise<QueryResult<Row>> {
    try {
      return Promise.resolve(this.execute<Row>(compiledQuery));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private execute<Row>(compiledQuery: CompiledQuery): QueryResult<Row> {
    const statement = this.prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    try {
      if (statement.reader) return { rows: statement.all(parameters) as Row[] };
      const { changes } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), rows: [] };
    } catch (error) {
      // SQLITE_BUSY and its extended codes: another process held the lock past `busy_timeout`.
      if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY'))
        throw databaseUnavailable(error);
      throw error;
    }
  }

  async *streamQuery<Row>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<Row>> {
    const statement = this.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters as unknown[]))
      yield { rows: [row as Row] };
  }
}

/** A lock handed to waiters in arrival order. */
class FifoLock {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  /** Resolves to `value` once the lock is this caller's. */
  acquire<Value>(value: Value): Promise<Value> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve(value);
    }
    return new Promise((resolve) => this.waiters.push(() => resolve(value)));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

class CachedSqliteDriver implements Driver {
  private readonly lock = new FifoLock();
  private readonly connection: CachedStatementConnection;

  constructor(private readonly database: BetterSqlite3.Database) {
    this.connection = new CachedStatementConnection(database);
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return this.lock.acquire(this.connection);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  releaseConnection(): Promise<void> {
    this.lock.release();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    this.database.close();
  }
}

/** The SQLite dialect with the cached-statement driver. */
export class CachedSqliteDialect implements Dialect {
  constructor(private readonly database: BetterSqlite3.Database) {}

  createDriver(): Driver {
    return new CachedSqliteDriver(this.database);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

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
import type { DirectStatements } from '../kysely/direct-statements.ts';

const STATEMENT_CACHE_SIZE = 1000;

/** Prepared statements by SQL text, the oldest dropped past `STATEMENT_CACHE_SIZE`. */
class StatementCache {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly raw: boolean,
  ) {}

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      if (this.raw && statement.reader) statement.raw(true);
      if (this.statements.size >= STATEMENT_CACHE_SIZE)
        this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** SQLITE_BUSY and its extended codes: another process held the lock past `busy_timeout`. */
function busyAsUnavailable(error: unknown): unknown {
  return String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')
    ? databaseUnavailable(error)
    : error;
}

class CachedStatementConnection implements DatabaseConnection {
  private readonly statements: StatementCache;

  constructor(database: BetterSqlite3.Database) {
    this.statements = new StatementCache(database, false);
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    return this.statements.prepare(sql);
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
      throw busyAsUnavailable(error);
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
  /** Whether a caller holds the lock (a waiter is handed it directly, so waiters imply this). */
  locked = false;
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

/**
 * Statements run synchronously while the lock is free: nothing else can start between the check and
 * the statement (JavaScript runs one thing at a time and better-sqlite3 does not yield), so this is
 * the same as taking and releasing the lock around it. Rows come as arrays (no object per row), from
 * statements of their own (a statement's raw mode is its own state).
 */
class DirectSqliteStatements implements DirectStatements {
  private readonly statements: StatementCache;

  constructor(
    database: BetterSqlite3.Database,
    private readonly lock: FifoLock,
  ) {
    this.statements = new StatementCache(database, true);
  }

  rows(sql: string, parameters: readonly unknown[]): unknown[][] | undefined {
    if (this.lock.locked) return undefined;
    try {
      return this.statements.prepare(sql).all(parameters) as unknown[][];
    } catch (error) {
      throw busyAsUnavailable(error);
    }
  }

  run(sql: string, parameters: readonly unknown[]): number | undefined {
    if (this.lock.locked) return undefined;
    try {
      return this.statements.prepare(sql).run(parameters).changes;
    } catch (error) {
      throw busyAsUnavailable(error);
    }
  }
}

class CachedSqliteDriver implements Driver {
  private readonly connection: CachedStatementConnection;

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly lock: FifoLock,
  ) {
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

/** The SQLite dialect with the cached-statement driver, and its direct statements. */
export class CachedSqliteDialect implements Dialect {
  private readonly lock = new FifoLock();
  /** Statements run beside Kysely on the same connection and lock (see direct-statements.ts). */
  readonly direct: DirectStatements;

  constructor(private readonly database: BetterSqlite3.Database) {
    this.direct = new DirectSqliteStatements(database, this.lock);
  }

  createDriver(): Driver {
    return new CachedSqliteDriver(this.database, this.lock);
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

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
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  Transaction,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionBuilder,
} from 'kysely';
import type { Database } from '../kysely/database.ts';
import { databaseUnavailable } from '../database-unavailable.ts';
import { LiteralLimitSqliteQueryCompiler } from './sqlite-query-compiler.ts';
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

  constructor(private readonly database: BetterSqlite3.Database) {
    this.statements = new StatementCache(database, false);
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    return this.statements.prepare(sql);
  }

  /** Runs a statement without parameters or results (`begin immediate`, `commit`, `rollback`). */
  control(sql: string): void {
    this.execute(CompiledQuery.raw(sql));
  }

  /** Rolls back the open transaction, if SQLite has not already (a failed commit may have). */
  rollback(): void {
    if (this.database.inTransaction) this.control('rollback');
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
  readonly connection: CachedStatementConnection;

  constructor(
    private readonly database: BetterSqlite3.Database,
    readonly dialect: Dialect,
    readonly lock: FifoLock,
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

/**
 * The store's transactions on the one connection, without building a transaction per call: Kysely's
 * `transaction()` builds a new `Transaction` (and the store binds every repository to it again) each
 * time, and runs each of its statements through a queued connection provider; together that cost as
 * much CPU as the transaction's own statements and commit. There is one connection and its lock admits
 * one transaction at a time, so one `Transaction` serves them all: `run` takes the lock, begins, runs
 * `work`, commits (or rolls back on a failure) and releases, as Kysely's transaction does.
 */
export interface SqliteTransactions {
  /** The query builder of whichever transaction is running; a statement outside one fails. */
  readonly db: Transaction<Database>;
  /** Runs `work` in a transaction, after every transaction and statement queued before it. */
  run<Result>(work: () => Promise<Result>): Promise<Result>;
}

function sqliteTransactions(
  driver: CachedSqliteDriver,
  root: Kysely<Database>,
): SqliteTransactions {
  const { connection, lock } = driver;
  let active = false;
  // A statement made through `db` after its transaction ended (work that was not awaited) fails
  // instead of running outside any transaction.
  const executor = root.getExecutor().withConnectionProvider({
    provideConnection: (consumer) =>
      active
        ? consumer(connection)
        : Promise.reject(new Error('A statement of a transaction that has ended.')),
  });
  const db = new Transaction<Database>({
    config: { dialect: driver.dialect },
    dialect: driver.dialect,
    driver,
    executor,
  });
  return {
    db,
    async run(work) {
      await lock.acquire(undefined);
      try {
        connection.control('begin immediate');
        active = true;
        try {
          const result = await work();
          connection.control('commit');
          return result;
        } catch (error) {
          connection.rollback();
          throw error;
        } finally {
          active = false;
        }
      } finally {
        lock.release();
      }
    },
  };
}

/** The SQLite dialect with the cached-statement driver, its transactions and its direct statements. */
export class CachedSqliteDialect implements Dialect {
  private readonly lock = new FifoLock();
  /** Statements run beside Kysely on the same connection and lock (see direct-statements.ts). */
  readonly direct: DirectStatements;
  private driver: CachedSqliteDriver | undefined;

  constructor(private readonly database: BetterSqlite3.Database) {
    this.direct = new DirectSqliteStatements(database, this.lock);
  }

  createDriver(): Driver {
    this.driver = new CachedSqliteDriver(this.database, this, this.lock);
    return this.driver;
  }

  /** The store's transactions on `db`, the Kysely instance built with this dialect. */
  transactions(db: Kysely<Database>): SqliteTransactions {
    if (!this.driver)
      throw new Error('The dialect has no driver yet: build the Kysely instance first.');
    return sqliteTransactions(this.driver, db);
  }

  createQueryCompiler(): QueryCompiler {
    return new LiteralLimitSqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/**
 * The SQLite store's query builder. Its `transaction()` runs on the dialect's transactions (above)
 * rather than building a Kysely transaction per call, so the repositories' own transactions (a run's
 * insert with its events, a status compare-and-set with its events) cost what the store's do. Only
 * `execute` is offered: nothing sets an isolation level or access mode (SQLite's transactions are
 * serializable, and `begin immediate` takes the write lock at once).
 */
export class SqliteKysely extends Kysely<Database> {
  readonly transactions: SqliteTransactions;

  constructor(dialect: CachedSqliteDialect) {
    super({ dialect });
    this.transactions = dialect.transactions(this);
  }

  override transaction(): TransactionBuilder<Database> {
    const { transactions } = this;
    const builder: Pick<TransactionBuilder<Database>, 'execute'> = {
      execute: (work) => transactions.run(() => work(transactions.db)),
    };
    return builder as TransactionBuilder<Database>;
  }
}

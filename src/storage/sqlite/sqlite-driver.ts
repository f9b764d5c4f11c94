/**
 * A Kysely driver for one better-sqlite3 connection, replacing Kysely's own for speed:
 * prepared statements are cached by SQL text (Kysely's driver prepares every query again), and writes
 * are committed in groups, one SQLite commit per turn of the event loop (group-commit.ts): the
 * store's transactions are savepoints in the turn's group, and a statement made outside one joins
 * it (a write) or runs after its commit (a read). Access is serialized on a FIFO lock (Kysely's
 * wakes every waiter on each release). A statement that still finds the file locked by another
 * process after the busy timeout fails as a 503 `database_unavailable` (retry later), not a 500.
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  Transaction,
  type Compilable,
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
import type { DirectStatements } from '../kysely/direct-statements.ts';
import { GroupCommit, type GroupUnit } from './group-commit.ts';

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
    this.run(CompiledQuery.raw(sql));
  }

  // Not `async`: better-sqlite3 answers synchronously, so the result is wrapped once (every query).
  executeQuery<Row>(compiledQuery: CompiledQuery): Promise<QueryResult<Row>> {
    try {
      return Promise.resolve(this.run<Row>(compiledQuery));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Runs a statement now. */
  run<Row>(compiledQuery: CompiledQuery): QueryResult<Row> {
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

  /** Whether `sql` writes nothing (a read waits for an open group's commit; a write joins it). */
  isRead(sql: string): boolean {
    return this.prepare(sql).readonly;
  }

  async *streamQuery<Row>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<Row>> {
    const statement = this.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters as unknown[]))
      yield { rows: [row as Row] };
  }
}

/**
 * The connection Kysely's executor is handed for statements outside the store's transactions: each
 * statement goes through the group commit on its own, so nothing holds the connection between them.
 * A Kysely transaction of its own (a plain `Kysely` on this dialect) holds it from `begin` to its end
 * as one transaction of the group, its statements running at once.
 */
class GroupedConnection implements DatabaseConnection {
  private unit: GroupUnit | undefined;

  constructor(
    private readonly connection: CachedStatementConnection,
    private readonly groups: GroupCommit,
  ) {}

  executeQuery<Row>(compiledQuery: CompiledQuery): Promise<QueryResult<Row>> {
    if (this.unit) return this.connection.executeQuery(compiledQuery);
    try {
      const read = this.connection.isRead(compiledQuery.sql);
      return this.groups.statement(read, () => this.connection.run<Row>(compiledQuery));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async *streamQuery<Row>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<Row>> {
    // The rows are read at once (better-sqlite3 reads synchronously), in the read's place.
    const result = await this.executeQuery<Row>(compiledQuery);
    for (const row of result.rows) yield { rows: [row] };
  }

  async begin(): Promise<void> {
    this.unit = await this.groups.begin();
  }

  /** Ends the transaction begun (kept, or undone when `failed`); nothing when none is open. */
  end(failed?: { error: unknown }): Promise<void> {
    const unit = this.unit;
    this.unit = undefined;
    return unit ? this.groups.end(unit, failed) : Promise.resolve();
  }
}

/**
 * Statements run synchronously while the connection is idle (no lock held, no group open): nothing
 * else can start between the check and the statement (JavaScript runs one thing at a time and
 * better-sqlite3 does not yield), so this is the same as taking and releasing the lock around it, and
 * a write commits on its own before its caller goes on. Otherwise the caller goes through Kysely
 * (a read after the open group's commit, a write in the group). Rows come as arrays (no object per
 * row), from statements of their own (a statement's raw mode is its own state).
 */
class DirectSqliteStatements implements DirectStatements {
  private readonly statements: StatementCache;

  constructor(
    database: BetterSqlite3.Database,
    private readonly groups: GroupCommit,
  ) {
    this.statements = new StatementCache(database, true);
  }

  rows(sql: string, parameters: readonly unknown[]): unknown[][] | undefined {
    if (!this.groups.idle) return undefined;
    try {
      return this.statements.prepare(sql).all(parameters) as unknown[][];
    } catch (error) {
      throw busyAsUnavailable(error);
    }
  }

  run(sql: string, parameters: readonly unknown[]): number | undefined {
    if (!this.groups.idle) return undefined;
    try {
      return this.statements.prepare(sql).run(parameters).changes;
    } catch (error) {
      throw busyAsUnavailable(error);
    }
  }
}

class CachedSqliteDriver implements Driver {
  /** The connection statements of a transaction run on, at once. */
  readonly connection: CachedStatementConnection;

  constructor(
    private readonly database: BetterSqlite3.Database,
    readonly dialect: Dialect,
    readonly groups: GroupCommit,
    connection: CachedStatementConnection,
  ) {
    this.connection = connection;
  }

  async init(): Promise<void> {}

  /** A connection of its own per caller: a Kysely transaction holds it (see GroupedConnection). */
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new GroupedConnection(this.connection, this.groups));
  }

  beginTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as GroupedConnection).begin();
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as GroupedConnection).end();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as GroupedConnection).end({ error: new Error('Rolled back.') });
  }

  releaseConnection(): Promise<void> {
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    await this.groups.flush();
    this.database.close();
  }
}

/**
 * The store's transactions on the one connection, without building a transaction per call: Kysely's
 * `transaction()` builds a new `Transaction` (and the store binds every repository to it again) each
 * time, and runs each of its statements through a queued connection provider; together that cost as
 * much CPU as the transaction's own statements and commit. There is one connection and its lock admits
 * one transaction at a time, so one `Transaction` serves them all: `run` runs `work` as one unit of
 * the turn's group commit (a savepoint; see group-commit.ts) and resolves once the group committed.
 */
export interface SqliteTransactions {
  /** The query builder of whichever transaction is running; a statement outside one fails. */
  readonly db: Transaction<Database>;
  /**
   * Runs `work` in a transaction, after every transaction and statement queued before it; resolves
   * once it is committed, rejects (nothing written) when it failed.
   */
  run<Result>(work: () => Promise<Result>): Promise<Result>;
}

function sqliteTransactions(
  driver: CachedSqliteDriver,
  root: Kysely<Database>,
): SqliteTransactions {
  const { connection, groups } = driver;
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
    run: (work) =>
      groups.transaction(async () => {
        active = true;
        try {
          return await work();
        } finally {
          active = false;
        }
      }),
  };
}

/** The SQLite dialect with the cached-statement driver, its transactions and its direct statements. */
export class CachedSqliteDialect implements Dialect {
  private readonly connection: CachedStatementConnection;
  /** The group commit every statement on the connection goes through. */
  readonly groups: GroupCommit;
  /** Statements outside a transaction, each through the group commit (see SqliteKysely). */
  readonly grouped: GroupedConnection;
  /** Statements run beside Kysely on the same connection and lock (see direct-statements.ts). */
  readonly direct: DirectStatements;
  private driver: CachedSqliteDriver | undefined;

  constructor(private readonly database: BetterSqlite3.Database) {
    this.connection = new CachedStatementConnection(database);
    this.groups = new GroupCommit(database, (sql) => this.connection.control(sql));
    this.grouped = new GroupedConnection(this.connection, this.groups);
    this.direct = new DirectSqliteStatements(database, this.groups);
  }

  createDriver(): Driver {
    this.driver = new CachedSqliteDriver(this.database, this, this.groups, this.connection);
    return this.driver;
  }

  /** The store's transactions on `db`, the Kysely instance built with this dialect. */
  transactions(db: Kysely<Database>): SqliteTransactions {
    if (!this.driver)
      throw new Error('The dialect has no driver yet: build the Kysely instance first.');
    return sqliteTransactions(this.driver, db);
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

/**
 * The SQLite store's query builder. Its `transaction()` runs on the dialect's transactions (above)
 * rather than building a Kysely transaction per call, so the repositories' own transactions (a run's
 * insert with its events, a status compare-and-set with its events) cost what the store's do. Only
 * `execute` is offered: nothing sets an isolation level or access mode (SQLite's transactions are
 * serializable, and `begin immediate` takes the write lock at once). A statement it is handed
 * compiled (`executeQuery`: the statements written out in SQL) reaches the group commit at once,
 * without the executor's connection provider: the caller's write joins the group it is issued in.
 */
export class SqliteKysely extends Kysely<Database> {
  readonly transactions: SqliteTransactions;
  private readonly grouped: GroupedConnection;

  constructor(dialect: CachedSqliteDialect) {
    super({ dialect });
    this.transactions = dialect.transactions(this);
    this.grouped = dialect.grouped;
  }

  override transaction(): TransactionBuilder<Database> {
    const { transactions } = this;
    const builder: Pick<TransactionBuilder<Database>, 'execute'> = {
      execute: (work) => transactions.run(() => work(transactions.db)),
    };
    return builder as TransactionBuilder<Database>;
  }

  override executeQuery<Row>(
    query: CompiledQuery<Row> | Compilable<Row>,
  ): Promise<QueryResult<Row>> {
    return this.grouped.executeQuery<Row>('compile' in query ? query.compile() : query);
  }
}

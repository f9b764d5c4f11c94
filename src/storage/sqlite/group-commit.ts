/**
 * Group commit on SQLite's one connection: every write of one turn of the event loop (the store's
 * transactions and the statements written outside one, of every run and request) goes into one
 * SQLite transaction, committed once at the end of the turn (`setImmediate`). A commit writes its
 * dirty pages to the WAL, so a turn's twenty small commits cost about what one does; a streamed run
 * wrote about eleven.
 *
 * The contract each writer sees is unchanged: its promise resolves once what it wrote is committed
 * (so an event is stored, committed, before anyone publishes it), and a failure undoes only its own
 * writes (each transaction is a savepoint in the group; a failing statement undoes itself). Writes
 * run one at a time in arrival order, on a FIFO lock, as they did before; a commit waits for the
 * write in progress. A read made outside a transaction never sees a write that is not committed: while
 * a group is open it waits for the commit and runs right after it, before the next group begins.
 * Reads inside a transaction see the group's earlier writes, which commit or fail with their own.
 * If SQLite loses the group's transaction (a commit that fails, an I/O error that rolls it back),
 * every write in it fails with that error.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** A lock handed to waiters in arrival order. */
export class FifoLock {
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

/** One SQLite transaction holding the writes of one turn. */
class Group {
  /** Resolves once the group committed; rejects with the error that lost it. */
  readonly committed: Promise<void>;
  /** Reads made outside a transaction while the group was open: run right after its commit. */
  readonly reads: Array<() => void> = [];
  private settleWith!: (error?: unknown) => void;

  constructor() {
    this.committed = new Promise<void>((resolve, reject) => {
      this.settleWith = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Every write of the group awaits it; this keeps a loss with no writer left from going unhandled.
    this.committed.catch(() => {});
  }

  /** Settles the writers (an error: all of them fail), then runs the waiting reads. */
  settle(error?: unknown): void {
    this.settleWith(error);
    for (const read of this.reads.splice(0)) read();
  }
}

/** The unit of work inside a group: one savepoint name serves, since units run one at a time. */
const UNIT = 'unit';

/** A transaction begun in a group (`GroupCommit.begin`), until its `end`. */
export interface GroupUnit {
  readonly group: Group;
  /** Whether it began the group (and so needs no savepoint). */
  readonly first: boolean;
}

export class GroupCommit {
  /** Serializes writes, reads outside a transaction, and commits, in arrival order. */
  readonly lock = new FifoLock();
  private group: Group | undefined;
  /** Work to run at the end of this turn, before its commit (`atTurnEnd`). */
  private turnEnd: Array<() => void> = [];
  private turnEndScheduled = false;
  private endingTurn = false;

  /**
   * @param database the connection, for whether SQLite still has the group's transaction open
   * @param control runs a statement without parameters or results (`begin immediate`, `commit`…)
   */
  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly control: (sql: string) => void,
  ) {}

  /** Whether a statement may run at once: nothing holds the connection and no write is uncommitted. */
  get idle(): boolean {
    return !this.lock.locked && this.group === undefined;
  }

  /**
   * Runs `work` (whose statements go straight to the connection) as one transaction of the turn's
   * group. Resolves with its result once the group committed; rejects at once when it failed
   * (nothing of it written).
   */
  async transaction<Result>(work: () => Promise<Result>): Promise<Result> {
    const unit = await this.begin();
    let result: Result;
    try {
      result = await work();
    } catch (error) {
      void this.end(unit, { error });
      throw error;
    }
    await this.end(unit);
    return result;
  }

  /**
   * Begins one transaction of the turn's group, holding the connection until `end`: a savepoint,
   * released when it succeeds and rolled back when it fails (the first of a group needs none: its
   * failure rolls the whole transaction back, which holds nothing else yet).
   */
  async begin(): Promise<GroupUnit> {
    await this.lock.acquire(undefined);
    try {
      const first = this.group === undefined;
      const group = this.join();
      if (!first) this.control(`savepoint ${UNIT}`);
      return { group, first };
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  /**
   * Ends `unit` and frees the connection. Kept (no `failed`): resolves once the group committed.
   * Failed: its writes are undone, and it resolves at once.
   */
  end(unit: GroupUnit, failed?: { error: unknown }): Promise<void> {
    try {
      if (!failed && !unit.first) {
        try {
          this.control(`release ${UNIT}`);
        } catch (error) {
          this.undo(error);
          return Promise.reject(error as Error);
        }
      }
      if (!failed) return unit.group.committed;
      if (unit.first) this.discard(unit.group, failed.error);
      else this.undo(failed.error);
      return Promise.resolve();
    } finally {
      this.lock.release();
    }
  }

  /**
   * Runs one statement made outside a transaction. A write (`readonly` false) joins the turn's group
   * and resolves once it committed; a read runs at once when no group is open, else right after the
   * open group's commit.
   */
  statement<Result>(readonly: boolean, execute: () => Result): Promise<Result> {
    if (!this.lock.locked) return this.statementHeld(readonly, execute);
    return this.lock.acquire(undefined).then(() => {
      try {
        return this.statementHeld(readonly, execute);
      } finally {
        this.lock.release();
      }
    });
  }

  /**
   * Runs `work` at the end of this turn, before the turn's commit, so that what it writes (at once,
   * not after an `await`) joins the turn's group: the run events sink writes each turn's batch of
   * deltas this way, in the commit of the turn they were emitted in.
   */
  atTurnEnd(work: () => void): void {
    this.turnEnd.push(work);
    this.scheduleTurnEnd();
  }

  /** Commits the open group now, if there is one (before the connection closes). */
  async flush(): Promise<void> {
    const group = this.group;
    if (group) await this.commit(group).then(() => group.committed.catch(() => {}));
  }

  /** The statement, while nothing else runs (better-sqlite3 does not yield). */
  private statementHeld<Result>(readonly: boolean, execute: () => Result): Promise<Result> {
    try {
      const group = this.group;
      if (readonly) {
        if (!group) return Promise.resolve(execute());
        return new Promise((resolve, reject) =>
          group.reads.push(() => {
            try {
              resolve(execute());
            } catch (error) {
              reject(error);
            }
          }),
        );
      }
      const joined = this.join();
      let result: Result;
      try {
        result = execute();
      } catch (error) {
        // A failing statement undoes itself; only a lost transaction takes the group with it.
        this.loseIfGone(error);
        throw error;
      }
      return joined.committed.then(() => result);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The open group, or a new one (its transaction begun, its commit at the end of this turn). */
  private join(): Group {
    if (this.group) return this.group;
    this.control('begin immediate');
    const group = new Group();
    this.group = group;
    this.scheduleTurnEnd();
    return group;
  }

  private scheduleTurnEnd(): void {
    if (this.turnEndScheduled || this.endingTurn) return;
    this.turnEndScheduled = true;
    setImmediate(() => this.endTurn());
  }

  /** The end of the turn: its last writes (`atTurnEnd`), then the commit of its group. */
  private endTurn(): void {
    this.turnEndScheduled = false;
    this.endingTurn = true;
    try {
      for (const work of this.turnEnd.splice(0)) {
        try {
          work();
        } catch {
          // Each piece of work answers its own callers; one that throws keeps the others.
        }
      }
    } finally {
      this.endingTurn = false;
    }
    if (this.group) void this.commit(this.group);
  }

  /** Undoes the failed unit's writes; a group whose transaction SQLite rolled back is lost. */
  private undo(error: unknown): void {
    try {
      this.control(`rollback to ${UNIT}`);
      this.control(`release ${UNIT}`);
    } catch {
      // No savepoint left: SQLite rolled the whole transaction back (checked below).
    }
    this.loseIfGone(error);
  }

  /** Rolls back a group that holds only the failed unit's writes. */
  private discard(group: Group, error: unknown): void {
    this.group = undefined;
    try {
      if (this.database.inTransaction) this.control('rollback');
    } finally {
      group.settle(error);
    }
  }

  private loseIfGone(error: unknown): void {
    const group = this.group;
    if (!group || this.database.inTransaction) return;
    this.group = undefined;
    group.settle(error);
  }

  /** Commits `group` after the write in progress, unless it was lost meanwhile. */
  private async commit(group: Group): Promise<void> {
    await this.lock.acquire(undefined);
    try {
      if (this.group !== group) return;
      this.group = undefined;
      try {
        this.control('commit');
      } catch (error) {
        try {
          if (this.database.inTransaction) this.control('rollback');
        } finally {
          group.settle(error);
        }
        return;
      }
      group.settle();
    } finally {
      this.lock.release();
    }
  }
}

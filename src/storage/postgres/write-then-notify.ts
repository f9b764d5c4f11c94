/**
 * A write and the notifications that announce its events, in one round trip (PostgreSQL): `begin`,
 * the write, `commit`, then `select pg_notify(…)` in a transaction of its own, sent as one batch of
 * extended-protocol messages with a single Sync. The server skips everything after a failing message
 * until the Sync, so a write that fails announces nothing, and a stored write is announced only after
 * its commit: what the event bus's own NOTIFY statement did, one round trip later (a worker sent one
 * per batch of token deltas, besides the insert).
 *
 * The notifications stay out of the write's transaction: a transaction that notifies holds the
 * database's notification lock from its commit through the commit's WAL flush, which would serialize
 * every event write across the cluster (see postgres-event-bus.ts). This one writes nothing, so it
 * holds the lock briefly, as the bus's statement did.
 *
 * The same batching sends a write that must take a lock in an earlier statement of its transaction
 * (`lockedWrites`: a message's insert after its thread's lock, see kysely/thread-lock.ts).
 */
import type { PostgresPool } from 'kysely';
import type { AnnouncedWrite, LockedWrite } from '../kysely/announced-write.ts';
import { NOTIFICATIONS_PER_STATEMENT, notifyStatement } from '../notify-statement.ts';
import { isConnectionLoss } from './connection-loss.ts';

/** The parts of pg's connection a query object writes its messages with. */
interface ProtocolConnection {
  stream: { cork(): void; uncork(): void };
  parse(message: { text: string; name: string; types: number[] }): void;
  bind(message: { values: Array<string | null> }): void;
  execute(message: object): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** A parameter as text, as pg sends it; the writes here take strings, numbers and nulls only. */
function parameterText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  throw new TypeError(`An announced write takes text, numbers and nulls, not ${typeof value}.`);
}

/**
 * pg's query object for a batch of statements sent with one Sync (a `Submittable`: pg hands it the
 * connection's messages). It reads only the command tags: the write's row count and how far the batch
 * got.
 */
class PipelinedBatch {
  /** The command tags received, in order (`BEGIN`, `INSERT 0 3`, `COMMIT`, `SELECT n`…). */
  readonly tags: string[] = [];
  readonly done: Promise<void>;
  /** The write's text, as pg's own query objects carry theirs (for whoever logs statements). */
  readonly text: string;
  /** How many notifications go with it. */
  readonly announces: number;
  private settle!: (error?: unknown) => void;

  constructor(
    private readonly statements: ReadonlyArray<[string, Array<string | null>]>,
    text: string,
    announces = 0,
  ) {
    this.text = text;
    this.announces = announces;
    this.done = new Promise((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
  }

  submit(connection: ProtocolConnection): void {
    connection.stream.cork();
    try {
      for (const [text, values] of this.statements) {
        connection.parse({ text, name: '', types: [] });
        connection.bind({ values });
        connection.execute({});
      }
      connection.sync();
    } finally {
      connection.stream.uncork();
    }
  }

  handleCommandComplete(message: { text: string }): void {
    this.tags.push(message.text);
  }

  /** pg drops the query after an error: the Sync's ReadyForQuery does not reach it. */
  handleError(error: unknown): void {
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyInResponse(connection: ProtocolConnection): void {
    connection.sendCopyFail('No copy expected');
  }
  handleCopyData(): void {}
}

/** The row count in a command tag (`INSERT 0 3`, `UPDATE 1`, `SELECT 0`). */
function rowCount(tag: string | undefined): number {
  return Number(tag?.slice(tag.lastIndexOf(' ') + 1)) || 0;
}

/**
 * Runs `batch` (`begin`, …, `commit`, then anything after) on a connection of `pool`; resolves with
 * the command tags of its statements once `commit` went through, even when a statement after it failed
 * (`complete` false). A batch that failed before its commit is rolled back and rejects.
 */
async function runBatch(
  pool: PostgresPool,
  batch: PipelinedBatch,
  commitAt: number,
): Promise<{ tags: string[]; complete: boolean }> {
  const client = await pool.connect();
  let lost = false;
  try {
    // The reconnecting pool hands pg the query object as is; pg answers through it.
    await client.query(batch as never, []);
    await batch.done;
  } catch (error) {
    lost = isConnectionLoss(error);
    if (batch.tags[commitAt] === 'COMMIT') return { tags: batch.tags, complete: false };
    // A statement failed inside the transaction `begin` opened, which stays open until rolled back.
    if (batch.tags[0] && !lost) await client.query('rollback', []).catch(() => (lost = true));
    throw error;
  } finally {
    client.release(lost);
  }
  return { tags: batch.tags, complete: true };
}

/** Announced writes on connections of `pool` (the store's, reconnecting). */
export function announcedWrites(pool: PostgresPool): AnnouncedWrite {
  return async (text, parameters, announcement) => {
    const { notifications } = announcement;
    // Too many for one notify statement (a batch of thousands of events): the bus sends them.
    if (notifications.length === 0 || notifications.length / 2 > NOTIFICATIONS_PER_STATEMENT) {
      const client = await pool.connect();
      try {
        return Number((await client.query(text, [...parameters])).rowCount ?? 0);
      } finally {
        client.release();
      }
    }
    const statements: Array<[string, Array<string | null>]> = [
      ['begin', []],
      [text, parameters.map(parameterText)],
      ['commit', []],
      [notifyStatement(notifications.length / 2), [...notifications]],
    ];
    const batch = new PipelinedBatch(statements, text, notifications.length / 2);
    const { tags, complete } = await runBatch(pool, batch, 2);
    if (complete) announcement.sent = true;
    return rowCount(tags[1]);
  };
}

/**
 * Writes serialized by a lock on connections of `pool`: `begin`, the lock's statement, the write,
 * `commit`, in one round trip. The write's snapshot is taken after the lock is held (READ COMMITTED
 * takes one per statement), so it sees whatever the lock's previous holder committed.
 */
export function lockedWrites(pool: PostgresPool): LockedWrite {
  return async (lock, text, parameters) => {
    const statements: Array<[string, Array<string | null>]> = [
      ['begin', []],
      [lock.sql, lock.parameters.map(parameterText)],
      [text, parameters.map(parameterText)],
      ['commit', []],
    ];
    const { tags } = await runBatch(pool, new PipelinedBatch(statements, text), 3);
    return rowCount(tags[2]);
  };
}

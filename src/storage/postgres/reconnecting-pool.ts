/**
 * The pool Kysely draws PostgreSQL connections from, made to ride out lost connections. A pooled
 * connection can die while it sits idle (`pg_terminate_backend`, a restart, a failover, a proxy's idle
 * timeout) and pg only learns it when the next statement fails. Such a failure is the connection's,
 * not the request's: the first statement of a checkout (a statement outside a transaction, or a
 * transaction's `begin`) that fails that way, when it cannot have taken effect (`isSafeToRepeat`),
 * moves to a fresh connection and runs again. The dead one is discarded. Up to pool size + 1 tries:
 * every idle connection may be dead, the one after them is new.
 *
 * A statement after the first of its checkout is never repeated: inside a transaction the server has
 * rolled the transaction back with its connection, so nothing is half-applied, and only the caller
 * could run the whole transaction again. When the database cannot be reached (connections refused for
 * `reconnectWindowMs`, or a loss that cannot be repeated) the statement fails with a 503
 * `database_unavailable` carrying `Retry-After`, not a 500.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { databaseUnavailable } from '../database-unavailable.ts';
import { isConnectionLoss, isSafeToRepeat } from './connection-loss.ts';

export interface ReconnectingPoolOptions {
  /** How long opening a connection keeps trying while the database refuses them (default 2 s). */
  reconnectWindowMs?: number;
}

/** pg's `query` as Kysely calls it (text and values) or as a config object: passed through as is. */
interface Queryable {
  query(...args: unknown[]): Promise<unknown>;
}

function statementOf(query: unknown): string {
  if (typeof query === 'string') return query;
  const text = (query as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '';
}

/** Kysely's pool over `pool`, for `PostgresDialect`; statements go to pg unchanged. */
export function reconnectingPool(
  pool: pg.Pool,
  options: ReconnectingPoolOptions = {},
): PostgresPool {
  const tries = ((pool as { options?: { max?: number } }).options?.max ?? 10) + 1;
  const window = options.reconnectWindowMs ?? 2000;

  /** A connection from the pool; while the database refuses new ones, tries again with backoff. */
  async function open(): Promise<pg.PoolClient> {
    const deadline = Date.now() + window;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      try {
        return await pool.connect();
      } catch (error) {
        if (!isConnectionLoss(error)) throw error;
        if (Date.now() + delay > deadline) throw databaseUnavailable(error);
        await sleep(delay);
      }
    }
  }

  /** One checkout: the connection under it can change only before its first statement succeeds. */
  function checkout(first: pg.PoolClient): PostgresPoolClient {
    let client: pg.PoolClient | undefined = first;
    let sent = false;
    // Set once a statement failed with the connection: the caller's release then discards it.
    let lost = false;
    async function query(...args: unknown[]): Promise<unknown> {
      const repeatable = !sent;
      sent = true;
      for (let attempt = 1; ; attempt += 1) {
        if (!client) throw databaseUnavailable(undefined);
        try {
          return await (client as unknown as Queryable).query(...args);
        } catch (error) {
          if (!isConnectionLoss(error)) throw error;
          lost = true;
          if (!repeatable || attempt >= tries || !isSafeToRepeat(error, statementOf(args[0])))
            throw databaseUnavailable(error);
          // Discarded, not returned: the pool closes it and opens a new one when needed.
          client.release(error as Error);
          client = undefined;
          client = await open();
          lost = false;
        }
      }
    }
    return {
      query: query as PostgresPoolClient['query'],
      release(destroy) {
        client?.release(destroy || lost);
        client = undefined;
      },
    };
  }

  return {
    connect: async () => checkout(await open()),
    end: () => pool.end(),
  };
}

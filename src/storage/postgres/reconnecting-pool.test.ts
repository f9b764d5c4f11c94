import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropSchema,
  newSchemaName,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import { UnavailableError } from '../../domain/errors.ts';
import { postgresClientConfig } from './postgres-store.ts';
import { reconnectingPool } from './reconnecting-pool.ts';

/** How a stand-in connection fails: every statement, or the statements a function picks (by number). */
type Failure = Error | ((statement: number) => Error | undefined) | undefined;

/** A stand-in pool whose connections fail as scripted; it counts what reached each of them. */
function scriptedPool(failures: Failure[], max = 3) {
  const sent: Array<{ connection: number; statement: string }> = [];
  const released: Array<{ connection: number; destroyed: boolean }> = [];
  let opened = 0;
  const pool = {
    options: { max },
    async connect() {
      const connection = ++opened;
      const failure = failures[connection - 1];
      let count = 0;
      return {
        async query(statement: string) {
          sent.push({ connection, statement });
          count += 1;
          const error = typeof failure === 'function' ? failure(count) : failure;
          if (error) throw error;
          return { command: 'SELECT', rowCount: 1, rows: [{ connection }] };
        },
        release(destroy?: unknown) {
          released.push({ connection, destroyed: Boolean(destroy) });
        },
      };
    },
    end: async () => {},
  };
  return { pool: reconnectingPool(pool as unknown as pg.Pool), sent, released };
}

const terminated = () =>
  Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  });
const closed = () => new Error('Connection terminated unexpectedly');

describe('reconnecting pool', () => {
  it('runs a first statement met by dead connections again on a fresh one, discarding the dead', async () => {
    const { pool, sent, released } = scriptedPool([terminated(), terminated()]);
    const client = await pool.connect();
    const result = await client.query<{ connection: number }>('insert into t values (1)', []);
    client.release();
    expect(result.rows).toEqual([{ connection: 3 }]);
    expect(sent.map((item) => item.connection)).toEqual([1, 2, 3]);
    expect(released).toEqual([
      { connection: 1, destroyed: true },
      { connection: 2, destroyed: true },
      { connection: 3, destroyed: false },
    ]);
  });

  it('gives up after pool size + 1 connections with a 503 that says to retry', async () => {
    const { pool, sent } = scriptedPool(Array.from({ length: 10 }, terminated), 2);
    const client = await pool.connect();
    const failure = await client.query('select 1', []).catch((error: unknown) => error);
    client.release();
    expect(sent).toHaveLength(3);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(failure).toMatchObject({
      code: 'database_unavailable',
      type: 'server_error',
      headers: { 'retry-after': '1' },
    });
  });

  it('never repeats a write whose outcome is unknown, nor a statement after the first of its checkout', async () => {
    const unknown = scriptedPool([closed()]);
    const client = await unknown.pool.connect();
    await expect(client.query('insert into t values (1)', [])).rejects.toBeInstanceOf(
      UnavailableError,
    );
    client.release();
    expect(unknown.sent).toHaveLength(1);
    expect(unknown.released).toEqual([{ connection: 1, destroyed: true }]);

    // A transaction whose connection dies after `begin`: its next statement is not moved.
    const midway = scriptedPool([(statement) => (statement > 1 ? terminated() : undefined)]);
    const transaction = await midway.pool.connect();
    await transaction.query('begin', []);
    await expect(transaction.query('insert into t values (1)', [])).rejects.toBeInstanceOf(
      UnavailableError,
    );
    transaction.release();
    expect(midway.sent.map((item) => item.connection)).toEqual([1, 1]);
    expect(midway.released).toEqual([{ connection: 1, destroyed: true }]);
  });

  it('passes a statement error through untouched and keeps the connection', async () => {
    const duplicate = Object.assign(new Error('duplicate key value'), { code: '23505' });
    const { pool, sent, released } = scriptedPool([duplicate]);
    const client = await pool.connect();
    await expect(client.query('insert into t values (1)', [])).rejects.toBe(duplicate);
    client.release();
    expect(sent).toHaveLength(1);
    expect(released).toEqual([{ connection: 1, destroyed: false }]);
  });
});

describe.runIf(postgresAvailable)('reconnecting pool on PostgreSQL', () => {
  const schema = newSchemaName();
  const applicationName = `concierge_pgretry_${schema}`;
  const poolSize = 4;
  let admin: pg.Client;
  let db: Kysely<{ items: { id: number } }>;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: postgresTestUrl });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    await admin.query(`create table "${schema}".items (id int primary key)`);
    const pool = new pg.Pool({
      ...postgresClientConfig({ connectionString: postgresTestUrl, schema }),
      application_name: applicationName,
      max: poolSize,
    });
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    db = new Kysely({ dialect: new PostgresDialect({ pool: reconnectingPool(pool) }) });
  });

  afterAll(async () => {
    await db?.destroy();
    await admin?.end();
    await dropSchema(schema);
  });

  /** Fills the pool with idle connections, then has the server end every one of them. */
  async function terminateEveryConnection(): Promise<void> {
    await Promise.all(
      Array.from({ length: poolSize }, () => sql`select pg_sleep(0.02)`.execute(db)),
    );
    const ended = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    expect(ended.rowCount).toBe(poolSize);
  }

  it('answers statements in a row and in parallel after every connection was terminated', async () => {
    await terminateEveryConnection();
    for (let id = 1; id <= poolSize + 2; id += 1)
      await db.insertInto('items').values({ id }).execute();
    await terminateEveryConnection();
    const ids = Array.from({ length: 3 * poolSize }, (_, index) => 100 + index);
    await Promise.all(ids.map((id) => db.insertInto('items').values({ id }).execute()));
    await terminateEveryConnection();
    const counted = await Promise.all(
      ids.map(() => db.selectFrom('items').select(db.fn.countAll<number>().as('count')).execute()),
    );
    // Each insert ran exactly once: a repeated one would have failed on the primary key.
    expect(counted.map(([row]) => Number(row!.count))).toEqual(ids.map(() => poolSize + 2 + 12));
  });

  it('does not half-apply a transaction whose connection is lost midway', async () => {
    await terminateEveryConnection();
    const failure = await db
      .transaction()
      .execute(async (transaction) => {
        await transaction.insertInto('items').values({ id: 1000 }).execute();
        await admin.query('select pg_terminate_backend($1)', [
          (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(transaction)).rows[0]!
            .pid,
        ]);
        await transaction.insertInto('items').values({ id: 1001 }).execute();
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    const rows = await db.selectFrom('items').select('id').where('id', '>=', 1000).execute();
    expect(rows).toEqual([]);
    // The pool has moved on: the next write lands.
    await db.insertInto('items').values({ id: 1002 }).execute();
  });

  it('answers a 503 when the database cannot be reached at all', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', max: 2 });
    const unreachable = new Kysely<{ items: { id: number } }>({
      dialect: new PostgresDialect({ pool: reconnectingPool(pool, { reconnectWindowMs: 150 }) }),
    });
    try {
      const failure = await unreachable
        .selectFrom('items')
        .select('id')
        .execute()
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UnavailableError);
      expect(failure).toMatchObject({ code: 'database_unavailable' });
      expect((failure as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await unreachable.destroy();
    }
  });
});

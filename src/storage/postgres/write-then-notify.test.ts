import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropSchema,
  newSchemaName,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import type { Announcement } from '../ports/runs-port.ts';
import { postgresClientConfig } from './postgres-store.ts';
import { reconnectingPool } from './reconnecting-pool.ts';
import { announcedWrites } from './write-then-notify.ts';

describe.skipIf(!postgresAvailable)('a write that announces itself (PostgreSQL)', () => {
  const schema = newSchemaName();
  const channel = `${schema}_events`;
  // One connection: what a failed write leaves behind is what the next write meets.
  const pool = new pg.Pool({
    ...postgresClientConfig({ connectionString: postgresTestUrl, schema }),
    max: 1,
  });
  const write = announcedWrites(reconnectingPool(pool));
  const listener = new pg.Client({ connectionString: postgresTestUrl });
  const reader = new pg.Client({ connectionString: postgresTestUrl });
  const heard: string[] = [];
  /** The rows another connection sees as each notification arrives. */
  const seen: Array<Promise<string[]>> = [];
  const insert = `insert into "${schema}".items (id) values ($1)`;
  const announcement = (...payloads: string[]): Announcement => ({
    notifications: payloads.flatMap((payload) => [channel, payload]),
    sent: false,
  });

  beforeAll(async () => {
    const setup = new pg.Client({ connectionString: postgresTestUrl });
    await setup.connect();
    await setup.query(`create schema "${schema}"`);
    await setup.query(`create table "${schema}".items (id text primary key)`);
    await setup.end();
    await Promise.all([listener.connect(), reader.connect()]);
    listener.on('notification', (message) => {
      heard.push(message.payload ?? '');
      const ids = reader
        .query<{ id: string }>(`select id from "${schema}".items order by id`)
        .then(({ rows }) => rows.map((row) => row.id));
      // A read no test awaits (a late notification, the reader closing) must not go unhandled.
      ids.catch(() => {});
      seen.push(ids);
    });
    await listener.query(`listen "${channel}"`);
  });
  afterAll(async () => {
    listener.removeAllListeners('notification');
    await Promise.all([listener.end(), reader.end()]);
    await pool.end();
    await dropSchema(schema);
  });

  /** Waits until `count` notifications were heard (or a second passed). */
  async function hear(count: number): Promise<string[]> {
    for (let waited = 0; heard.length < count && waited < 1000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    return heard.splice(0);
  }

  it('sends the notifications after the write commits, in the same round trip', async () => {
    const sent = announcement('a', 'b');
    const statements: unknown[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (this !== reader) statements.push(args[0]);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as never;
    try {
      expect(await write(insert, ['one'], sent)).toBe(1);
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(sent.sent).toBe(true);
    expect(statements).toHaveLength(1);
    expect(await hear(2)).toEqual(['a', 'b']);
    // Stored before it was announced: the row was there for whoever heard it.
    expect(await Promise.all(seen.splice(0))).toEqual([['one'], ['one']]);
  });

  it('announces nothing when the write fails, and leaves its connection usable', async () => {
    const refused = announcement('refused');
    await expect(write(insert, ['one'], refused)).rejects.toMatchObject({ code: '23505' });
    expect(refused.sent).toBe(false);
    // The failed write's transaction was rolled back: the same connection writes again.
    const next = announcement('next');
    expect(await write(insert, ['two'], next)).toBe(1);
    expect(next.sent).toBe(true);
    expect(await hear(1)).toEqual(['next']);
    expect(await Promise.all(seen.splice(0))).toEqual([['one', 'two']]);
  });

  it('keeps a committed write when its notifications fail, leaving them to the caller', async () => {
    // NOTIFY refuses a payload of 8000 bytes or more, after the write committed.
    const tooBig = announcement('x'.repeat(8000));
    expect(await write(insert, ['three'], tooBig)).toBe(1);
    expect(tooBig.sent).toBe(false);
    const { rows } = await pool.query(`select id from "${schema}".items where id = 'three'`);
    expect(rows).toHaveLength(1);
    const after = announcement('after');
    expect(await write(insert, ['four'], after)).toBe(1);
    expect(await hear(1)).toEqual(['after']);
    seen.length = 0;
  });
});

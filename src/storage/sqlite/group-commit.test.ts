import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CachedSqliteDialect, SqliteKysely } from './sqlite-driver.ts';

/** A parent and a child table (a foreign key to check at commit), on a file in WAL mode. */
interface Tables {
  parents: { id: string };
  children: { id: string; parent_id: string };
}

const directory = mkdtempSync(join(tmpdir(), 'concierge-group-commit-'));
let file = 0;
let connection: SqliteDatabase.Database;
let db: Kysely<Tables>;
/** The statements run on any connection, in order (their SQL text). */
const executed: string[] = [];
const restore: Array<() => void> = [];

beforeEach(() => {
  connection = new SqliteDatabase(join(directory, `group-${++file}.db`));
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.exec(
    'create table parents (id text primary key); ' +
      'create table children (id text primary key, parent_id text not null references parents(id))',
  );
  db = new SqliteKysely(new CachedSqliteDialect(connection)) as unknown as Kysely<Tables>;
  const prototype = Object.getPrototypeOf(connection.prepare('select 1')) as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  for (const method of ['run', 'all']) {
    const original = prototype[method]!;
    restore.push(() => (prototype[method] = original));
    prototype[method] = function (this: { source: string }, ...args: unknown[]) {
      executed.push(this.source);
      return original.apply(this, args);
    };
  }
  executed.length = 0;
});

afterEach(async () => {
  for (const undo of restore.splice(0)) undo();
  await db.destroy();
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

const commits = () => executed.filter((statement) => statement === 'commit').length;
const parent = (id: string) => db.insertInto('parents').values({ id }).execute();
/** A transaction of the store's kind (SqliteKysely's `transaction()` runs on the group commit). */
const inTransaction = <Result>(work: (transaction: Kysely<Tables>) => Promise<Result>) =>
  db.transaction().execute(work);
const stored = () =>
  connection.prepare('select id from parents order by id').pluck().all() as string[];

/** A writer that writes a transaction, then a statement, then a transaction, each step awaited. */
const writer = async (index: number) => {
  await inTransaction((transaction) =>
    transaction
      .insertInto('parents')
      .values({ id: `p${index}` })
      .execute(),
  );
  await db
    .insertInto('children')
    .values({ id: `c${index}`, parent_id: `p${index}` })
    .execute();
  await inTransaction((transaction) =>
    transaction.deleteFrom('children').where('id', '=', `c${index}`).execute(),
  );
};

describe('group commit on SQLite', () => {
  it('commits the writes of one turn once, and answers each writer after that commit', async () => {
    const settled: string[] = [];
    const note = (name: string) => (value: unknown) => {
      settled.push(`${name} after ${commits()} commit(s)`);
      return value;
    };
    const writes = await Promise.allSettled([
      inTransaction(async (transaction) => {
        await transaction.insertInto('parents').values({ id: 'a' }).execute();
        await transaction.insertInto('children').values({ id: 'a1', parent_id: 'a' }).execute();
      }).then(note('transaction a')),
      parent('b').then(note('statement b')),
      inTransaction(async (transaction) => {
        await transaction.insertInto('parents').values({ id: 'lost' }).execute();
        throw new Error('rolled back');
      }).catch(note('transaction lost')),
      parent('a').catch(note('duplicate a')), // fails alone: the statement undoes itself
      inTransaction((transaction) =>
        transaction.insertInto('parents').values({ id: 'c' }).execute(),
      ).then(note('transaction c')),
    ]);
    expect(writes.map((write) => write.status)).toEqual(Array(5).fill('fulfilled'));
    expect(commits()).toBe(1);
    expect(executed.filter((statement) => statement === 'begin immediate')).toHaveLength(1);
    // The failures answer at once, with nothing of theirs written; the others after the commit.
    expect(settled.sort()).toEqual([
      'duplicate a after 0 commit(s)',
      'statement b after 1 commit(s)',
      'transaction a after 1 commit(s)',
      'transaction c after 1 commit(s)',
      'transaction lost after 0 commit(s)',
    ]);
    expect(stored()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back a failing first transaction of a group alone', async () => {
    const results = await Promise.allSettled([
      inTransaction(async (transaction) => {
        await transaction.insertInto('parents').values({ id: 'lost' }).execute();
        throw new Error('rolled back');
      }),
      parent('kept'),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(commits()).toBe(1);
    expect(stored()).toEqual(['kept']);
  });

  it('runs a Kysely transaction of its own (a plain Kysely on the dialect) as one of the group', async () => {
    const plain = new Kysely<Tables>({ dialect: new CachedSqliteDialect(connection) });
    const results = await Promise.allSettled([
      plain.transaction().execute(async (transaction) => {
        await transaction.insertInto('parents').values({ id: 'k' }).execute();
        await transaction.insertInto('children').values({ id: 'k1', parent_id: 'k' }).execute();
      }),
      plain.transaction().execute(async (transaction) => {
        await transaction.insertInto('parents').values({ id: 'undone' }).execute();
        throw new Error('rolled back');
      }),
      plain.insertInto('parents').values({ id: 'm' }).execute(),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(commits()).toBe(1);
    expect(stored()).toEqual(['k', 'm']);
  });

  it('commits once per turn however many writers go on writing after each commit', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, index) => writer(index)));
    expect(commits()).toBe(3);
    expect(stored()).toHaveLength(20);
  });

  it('runs a read made outside a transaction after the open group commits, never before', async () => {
    const written = parent('seen');
    const read = db.selectFrom('parents').select('id').execute();
    expect(await read).toEqual([{ id: 'seen' }]);
    await written;
    const order = executed.filter((statement) => statement !== 'begin immediate');
    expect(order).toEqual([
      'insert into "parents" ("id") values (?)',
      'commit',
      'select "id" from "parents"',
    ]);
    // With no group open, a read runs at once, with no transaction around it.
    executed.length = 0;
    expect(await db.selectFrom('parents').select('id').execute()).toHaveLength(1);
    expect(executed).toEqual(['select "id" from "parents"']);
  });

  it('fails every writer of a group whose commit fails, and stores none of it', async () => {
    const results = await Promise.allSettled([
      parent('innocent'),
      inTransaction(async (transaction) => {
        // A foreign key checked at commit: the commit fails, and with it the whole group.
        await sql`pragma defer_foreign_keys = on`.execute(transaction);
        await transaction.insertInto('children').values({ id: 'orphan', parent_id: 'x' }).execute();
      }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(stored()).toEqual([]);
    expect(connection.inTransaction).toBe(false);
    // The next turn's writes commit as usual.
    await parent('after');
    expect(stored()).toEqual(['after']);
  });
});

import { Kysely, sql, SqliteDialect } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../kysely/database.ts';
import { LiteralLimitSqliteQueryCompiler } from './sqlite-query-compiler.ts';

class Dialect extends SqliteDialect {
  override createQueryCompiler() {
    return new LiteralLimitSqliteQueryCompiler();
  }
}

const connection = new SqliteDatabase(':memory:');
const db = new Kysely<Database>({ dialect: new Dialect({ database: connection }) });
afterAll(() => db.destroy());

describe('the SQLite compiler writes a whole-number limit into the text', () => {
  // SQLite re-prepares a cached `order by … limit ?` each time the limit is bound again.
  it('a page of 20 is `limit 20`, bound nowhere', () => {
    const page = db.selectFrom('runs').select('id').orderBy('created_at').limit(20).compile();
    expect(page.sql).toMatch(/ limit 20$/);
    expect(page.parameters).toEqual([]);
  });

  it('any other limit stays a parameter (a fraction, an expression)', () => {
    const fraction = db.selectFrom('runs').select('id').limit(2.5).compile();
    expect(fraction.sql).toMatch(/ limit \?$/);
    expect(fraction.parameters).toEqual([2.5]);
    const expression = db
      .selectFrom('runs')
      .select('id')
      .limit(sql<number>`1 + ${1}`)
      .compile();
    expect(expression.sql).toMatch(/ limit 1 \+ \?$/);
  });

  it('the written limit limits', async () => {
    const limited = await db
      .selectFrom(
        sql<{ value: number }>`(select 1 as value union all select 2 union all select 3)`.as('t'),
      )
      .select('value')
      .orderBy('value')
      .limit(2)
      .execute();
    expect(limited.map((row) => row.value)).toEqual([1, 2]);
  });
});

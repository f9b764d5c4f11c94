/** Runs `work` in a transaction, joining the caller's transaction if `db` already is one. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

export function withTransaction<Result>(
  db: Kysely<Database>,
  work: (transaction: Transaction<Database>) => Promise<Result>,
): Promise<Result> {
  if (db.isTransaction) return work(db as Transaction<Database>);
  return db.transaction().execute(work);
}

/**
 * A version per vector-store file for the vectors stored of it (issue 20), so a process can keep a
 * store's vectors decoded in memory and reload only the files whose vectors changed.
 *
 * `vector_store_files.vectors_version` takes a new value, never one used before, whenever a row of
 * `chunk_embeddings` of that file is inserted, updated or deleted (cascading deletes included): a
 * trigger does it, so no write path can forget. Null: no vectors were ever written for the file.
 * On PostgreSQL the values come from a sequence (not rolled back, so never reused) through
 * statement-level triggers; on SQLite from a one-row counter, per row.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('vector_store_files')
    .addColumn('vectors_version', columnTypes(dialect).integer)
    .execute();
  if (dialect === 'postgres') {
    await sql`create sequence vectors_versions`.execute(db);
    await sql`create function vectors_changed() returns trigger language plpgsql as $$
      begin
        update vector_store_files f set vectors_version = nextval('vectors_versions')
          from (select distinct vector_store_id, file_id from changed) c
         where f.vector_store_id = c.vector_store_id and f.id = c.file_id;
        return null;
      end $$`.execute(db);
    for (const [event, table] of [
      ['insert', 'new'],
      ['update', 'new'],
      ['delete', 'old'],
    ] as const)
      await sql`create trigger ${sql.raw(`chunk_embeddings_${event}_version`)}
        after ${sql.raw(event)} on chunk_embeddings referencing ${sql.raw(table)} table as changed
        for each statement execute function vectors_changed()`.execute(db);
    await sql`update vector_store_files f set vectors_version = nextval('vectors_versions')
      where exists (select 1 from chunk_embeddings e where e.vector_store_id = f.vector_store_id and e.file_id = f.id)`.execute(
      db,
    );
    return;
  }
  await sql`create table vectors_versions (id integer primary key check (id = 1), value integer not null)`.execute(
    db,
  );
  await sql`insert into vectors_versions (id, value) values (1, 0)`.execute(db);
  for (const [event, row] of [
    ['insert', 'new'],
    ['update', 'new'],
    ['delete', 'old'],
  ] as const)
    await sql`create trigger ${sql.raw(`chunk_embeddings_${event}_version`)} after ${sql.raw(event)} on chunk_embeddings begin
      update vectors_versions set value = value + 1;
      update vector_store_files set vectors_version = (select value from vectors_versions)
       where vector_store_id = ${sql.raw(row)}.vector_store_id and id = ${sql.raw(row)}.file_id;
    end`.execute(db);
  await sql`update vectors_versions set value = 1`.execute(db);
  await sql`update vector_store_files set vectors_version = 1
    where exists (select 1 from chunk_embeddings e where e.vector_store_id = vector_store_files.vector_store_id and e.file_id = vector_store_files.id)`.execute(
    db,
  );
}

/**
 * Vectors per window, and which model's vectors a store searches (issue 20).
 *
 * - `chunk_embeddings` holds one row per window of a chunk (`window_index`), and may hold the vectors of
 *   two models at once while a store is re-embedded: its key becomes (chunk, model, window).
 * - `vector_store_files.embedding_model`: the model that embedded the file's chunks (null: none).
 * - `vector_stores.embedding_model`: the model whose vectors its searches use, switched when every file
 *   has the configured model's vectors (null: the configured model, for a store never switched).
 * Both are filled from the vectors already stored.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  if (dialect === 'postgres') {
    await sql`alter table chunk_embeddings add column window_index integer not null default 0`.execute(
      db,
    );
    await sql`alter table chunk_embeddings drop constraint chunk_embeddings_pkey`.execute(db);
    await sql`alter table chunk_embeddings add primary key (chunk_id, model, window_index)`.execute(
      db,
    );
  } else {
    // SQLite cannot change a primary key in place: the table is copied.
    await db.schema
      .createTable('chunk_embeddings_next')
      .addColumn('chunk_id', 'integer', (column) =>
        column.notNull().references('chunks.id').onDelete('cascade'),
      )
      .addColumn('model', type.text, (column) => column.notNull())
      .addColumn('window_index', 'integer', (column) => column.notNull())
      .addColumn('vector_store_id', type.id, (column) => column.notNull())
      .addColumn('file_id', type.id, (column) => column.notNull())
      .addColumn('embedding', 'blob', (column) => column.notNull())
      .addPrimaryKeyConstraint('chunk_embeddings_pk', ['chunk_id', 'model', 'window_index'])
      .execute();
    await sql`insert into chunk_embeddings_next (chunk_id, model, window_index, vector_store_id, file_id, embedding)
      select chunk_id, model, 0, vector_store_id, file_id, embedding from chunk_embeddings`.execute(
      db,
    );
    await sql`drop table chunk_embeddings`.execute(db);
    await sql`alter table chunk_embeddings_next rename to chunk_embeddings`.execute(db);
    await db.schema
      .createIndex('chunk_embeddings_by_store')
      .on('chunk_embeddings')
      .columns(['vector_store_id', 'model'])
      .execute();
  }
  await db.schema
    .createIndex('chunk_embeddings_by_file')
    .on('chunk_embeddings')
    .columns(['vector_store_id', 'file_id', 'model'])
    .execute();

  await db.schema
    .alterTable('vector_store_files')
    .addColumn('embedding_model', type.text)
    .execute();
  await db.schema.alterTable('vector_stores').addColumn('embedding_model', type.text).execute();
  await sql`update vector_store_files set embedding_model = (
      select min(e.model) from chunk_embeddings e
       where e.vector_store_id = vector_store_files.vector_store_id and e.file_id = vector_store_files.id)`.execute(
    db,
  );
  await sql`update vector_stores set embedding_model = (
      select min(e.model) from chunk_embeddings e where e.vector_store_id = vector_stores.id)`.execute(
    db,
  );
  // Completed files whose vectors are not of the configured model are the re-embedding queue.
  await db.schema
    .createIndex('vector_store_files_by_embedding')
    .on('vector_store_files')
    .columns(['status', 'embedding_model'])
    .execute();
}

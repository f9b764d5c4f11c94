/**
 * Files, vector stores, their files and batches, chunks with their keyword index and embeddings, and
 * the embedding cache. The keyword index is FTS5 on SQLite and a generated tsvector with GIN on
 * Postgres. Embeddings are float32 blobs on SQLite (read by sqlite-vec) and `real[]` on Postgres, so the
 * same column serves pgvector (cast to `vector`) and the plain-SQL fallback.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  const postgres = dialect === 'postgres';

  await db.schema
    .createTable('files')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('bytes', type.integer, (column) => column.notNull())
    .addColumn('filename', type.text, (column) => column.notNull())
    .addColumn('purpose', type.text, (column) => column.notNull())
    .addColumn('content_type', type.text, (column) => column.notNull())
    .addColumn('expires_at', type.integer)
    .execute();
  await db.schema
    .createIndex('files_by_project')
    .on('files')
    .columns(['project_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('files_by_expiry').on('files').column('expires_at').execute();

  await db.schema
    .createTable('vector_stores')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('name', type.text)
    .addColumn('description', type.text)
    .addColumn('metadata', type.json, (column) => column.notNull())
    .addColumn('expires_after', type.json)
    .addColumn('last_active_at', type.integer)
    .execute();
  await db.schema
    .createIndex('vector_stores_by_project')
    .on('vector_stores')
    .columns(['project_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('vector_store_file_batches')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('vector_store_id', type.id, (column) =>
      column.notNull().references('vector_stores.id').onDelete('cascade'),
    )
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('cancelled_at', type.integer)
    .execute();

  // One row per (store, file): the vector store file object and, while in_progress, an ingestion job
  // with a lease (lease_owner, lease_until in milliseconds) that another worker takes over when it lapses.
  await db.schema
    .createTable('vector_store_files')
    .addColumn('vector_store_id', type.id, (column) =>
      column.notNull().references('vector_stores.id').onDelete('cascade'),
    )
    .addColumn('id', type.id, (column) => column.notNull())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('status', type.text, (column) => column.notNull())
    .addColumn('usage_bytes', type.integer, (column) => column.notNull())
    .addColumn('last_error', type.json)
    .addColumn('chunking_strategy', type.json, (column) => column.notNull())
    .addColumn('attributes', type.json, (column) => column.notNull())
    .addColumn('batch_id', type.id)
    .addColumn('lease_owner', type.text)
    .addColumn('lease_until', type.integer)
    .addColumn('attempts', type.integer, (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('vector_store_files_pk', ['vector_store_id', 'id'])
    .execute();
  await db.schema
    .createIndex('vector_store_files_by_store')
    .on('vector_store_files')
    .columns(['vector_store_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('vector_store_files_by_batch')
    .on('vector_store_files')
    .columns(['batch_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('vector_store_files_by_file')
    .on('vector_store_files')
    .column('id')
    .execute();
  await db.schema
    .createIndex('vector_store_files_queue')
    .on('vector_store_files')
    .columns(['status', 'lease_until', 'created_at'])
    .execute();

  await db.schema
    .createTable('chunks')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (column) => column.primaryKey())
    .addColumn('vector_store_id', type.id, (column) => column.notNull())
    .addColumn('file_id', type.id, (column) => column.notNull())
    .addColumn('chunk_index', type.integer, (column) => column.notNull())
    .addColumn('text', type.text, (column) => column.notNull())
    .addForeignKeyConstraint(
      'chunks_of_file',
      ['vector_store_id', 'file_id'],
      'vector_store_files',
      ['vector_store_id', 'id'],
      (constraint) => constraint.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('chunks_by_file')
    .on('chunks')
    .columns(['vector_store_id', 'file_id', 'chunk_index'])
    .execute();

  // The store and file are repeated here so a vector scan filters and ranks without joining chunks.
  await db.schema
    .createTable('chunk_embeddings')
    .addColumn('chunk_id', postgres ? 'bigint' : 'integer', (column) =>
      column.primaryKey().references('chunks.id').onDelete('cascade'),
    )
    .addColumn('vector_store_id', type.id, (column) => column.notNull())
    .addColumn('file_id', type.id, (column) => column.notNull())
    .addColumn('model', type.text, (column) => column.notNull())
    .addColumn('embedding', postgres ? sql`real[]` : 'blob', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('chunk_embeddings_by_store')
    .on('chunk_embeddings')
    .columns(['vector_store_id', 'model'])
    .execute();

  await db.schema
    .createTable('embedding_cache')
    .addColumn('model', type.text, (column) => column.notNull())
    .addColumn('content_hash', type.text, (column) => column.notNull())
    .addColumn('embedding', type.blob, (column) => column.notNull())
    .addPrimaryKeyConstraint('embedding_cache_pk', ['model', 'content_hash'])
    .execute();

  if (postgres) {
    await sql`alter table chunks add column tsv tsvector generated always as (to_tsvector('english', text)) stored`.execute(
      db,
    );
    await sql`create index chunks_keyword on chunks using gin (tsv)`.execute(db);
    return;
  }
  // External-content FTS5 over chunks.text, kept in step by triggers (cascading deletes fire them too).
  await sql`create virtual table chunks_fts using fts5(text, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')`.execute(
    db,
  );
  await sql`create trigger chunks_fts_insert after insert on chunks begin
    insert into chunks_fts(rowid, text) values (new.id, new.text); end`.execute(db);
  await sql`create trigger chunks_fts_delete after delete on chunks begin
    insert into chunks_fts(chunks_fts, rowid, text) values ('delete', old.id, old.text); end`.execute(
    db,
  );
}

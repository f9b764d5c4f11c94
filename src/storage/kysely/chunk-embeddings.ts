/**
 * The chunk methods both dialects share: a file's chunks in order, and replacing the vectors one
 * embedding model made for a file (one row per window of each chunk). Only how a vector is stored
 * differs: a float32 blob on SQLite (sqlite-vec), a number array on PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { ChunkRepository } from '../store.ts';
import type { Database } from './database.ts';

/** Rows inserted per statement, under both dialects' bound-parameter limits. */
const BATCH = 200;

export function fileChunkMethods(
  db: Kysely<Database>,
  storeVector: (vector: Float32Array) => Buffer | number[],
): Pick<ChunkRepository, 'listForFile' | 'replaceEmbeddings'> {
  return {
    async listForFile(vectorStoreId, fileId) {
      const rows = await db
        .selectFrom('chunks')
        .select(['id', 'text'])
        .where('vector_store_id', '=', vectorStoreId)
        .where('file_id', '=', fileId)
        .orderBy('chunk_index')
        .execute();
      return rows.map((row) => ({ id: Number(row.id), text: row.text }));
    },
    async replaceEmbeddings(vectorStoreId, fileId, model, chunks) {
      await db
        .deleteFrom('chunk_embeddings')
        .where('vector_store_id', '=', vectorStoreId)
        .where('file_id', '=', fileId)
        .where('model', '=', model)
        .execute();
      const existing = new Set(
        (
          await db
            .selectFrom('chunks')
            .select('id')
            .where('vector_store_id', '=', vectorStoreId)
            .where('file_id', '=', fileId)
            .execute()
        ).map((row) => Number(row.id)),
      );
      const rows = chunks
        .filter((chunk) => existing.has(chunk.id))
        .flatMap((chunk) =>
          chunk.embeddings.map((vector, window) => ({
            chunk_id: chunk.id,
            window_index: window,
            vector_store_id: vectorStoreId,
            file_id: fileId,
            model,
            embedding: storeVector(vector),
          })),
        );
      for (let start = 0; start < rows.length; start += BATCH)
        await db
          .insertInto('chunk_embeddings')
          .values(rows.slice(start, start + BATCH))
          .execute();
    },
  };
}

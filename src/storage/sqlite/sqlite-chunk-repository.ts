/**
 * Chunks on SQLite: FTS5 (porter stemming) ranked by bm25 for keywords; for vectors, an exact scan of
 * the vectors held decoded in memory (vector-cache.ts), or, for a store too large to hold and inside a
 * transaction, `vec_distance_cosine` (sqlite-vec's, or the same in JavaScript: vector-functions.ts)
 * over every float32 blob of the stores searched.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../kysely/database.ts';
import { toFloat32Blob } from '../kysely/embedding-cache-repository.ts';
import { fileChunkMethods } from '../kysely/chunk-embeddings.ts';
import { keywordTerms } from '../kysely/keyword-terms.ts';
import type { VectorCache } from '../kysely/vector-cache.ts';
import type { ChunkHit, ChunkRepository, ChunkScope } from '../store.ts';
import type { SqliteVectorFunctions } from './vector-functions.ts';

interface HitRow {
  id: number;
  vector_store_id: string;
  file_id: string;
  chunk_index: number;
  text: string;
  score: number | string;
}

function toHit(row: HitRow): ChunkHit {
  return {
    chunkId: Number(row.id),
    vectorStoreId: row.vector_store_id,
    fileId: row.file_id,
    chunkIndex: Number(row.chunk_index),
    text: row.text,
    score: Number(row.score),
  };
}

/** The scope as a condition on the table aliased `alias` (chunks or chunk_embeddings). */
function scopeCondition(scope: ChunkScope, alias: 'c' | 'e') {
  const stores = sql`${sql.ref(`${alias}.vector_store_id`)} in (${sql.join(scope.vectorStoreIds)})`;
  return scope.fileIds
    ? sql`${stores} and ${sql.ref(`${alias}.file_id`)} in (${sql.join(scope.fileIds)})`
    : stores;
}

const BATCH = 200;

/** `vectorBackend`: whether sqlite-vec or its JavaScript stand-in answers `vec_distance_cosine`. */
export function sqliteChunkRepository(
  db: Kysely<Database>,
  vectors: VectorCache,
  vectorBackend: SqliteVectorFunctions['backend'],
): ChunkRepository {
  return {
    async replaceForFile(vectorStoreId, fileId, chunks, embeddingModel) {
      await db
        .deleteFrom('chunks')
        .where('vector_store_id', '=', vectorStoreId)
        .where('file_id', '=', fileId)
        .execute();
      for (let start = 0; start < chunks.length; start += BATCH) {
        const batch = chunks.slice(start, start + BATCH);
        const inserted = await db
          .insertInto('chunks')
          .values(
            batch.map((chunk, offset) => ({
              vector_store_id: vectorStoreId,
              file_id: fileId,
              chunk_index: start + offset,
              text: chunk.text,
            })),
          )
          .returning('id')
          .execute();
        const embeddings = batch.flatMap((chunk, offset) =>
          embeddingModel
            ? (chunk.embeddings ?? []).map((vector, window) => ({
                chunk_id: Number(inserted[offset]!.id),
                window_index: window,
                vector_store_id: vectorStoreId,
                file_id: fileId,
                model: embeddingModel,
                embedding: toFloat32Blob(vector),
              }))
            : [],
        );
        if (embeddings.length > 0)
          await db.insertInto('chunk_embeddings').values(embeddings).execute();
      }
    },
    ...fileChunkMethods(db, toFloat32Blob),
    async keywordSearch(scope, query, limit) {
      const terms = keywordTerms(query);
      if (terms.length === 0 || scope.vectorStoreIds.length === 0) return [];
      const match = terms.map((term) => `"${term}"`).join(' OR ');
      const result = await sql<HitRow>`
        select c.id, c.vector_store_id, c.file_id, c.chunk_index, c.text, -bm25(chunks_fts) as score
          from chunks_fts join chunks c on c.id = chunks_fts.rowid
         where chunks_fts match ${match} and ${scopeCondition(scope, 'c')}
         order by score desc, c.id
         limit ${limit}`.execute(db);
      return result.rows.map(toHit);
    },
    async vectorSearch(scope, embedding, model, limit) {
      if (scope.vectorStoreIds.length === 0) return [];
      const cached = await vectors.search(db, scope, embedding, model, limit);
      if (cached) return cached;
      const result = await sql<HitRow>`
        with nearest as (
          select e.chunk_id, min(vec_distance_cosine(e.embedding, ${toFloat32Blob(embedding)})) as distance
            from chunk_embeddings e
           where e.model = ${model} and length(e.embedding) = ${embedding.byteLength} and ${scopeCondition(scope, 'e')}
           group by e.chunk_id
           order by distance, e.chunk_id
           limit ${limit})
        select c.id, c.vector_store_id, c.file_id, c.chunk_index, c.text, 1 - nearest.distance as score
          from nearest join chunks c on c.id = nearest.chunk_id
         order by nearest.distance, c.id`.execute(db);
      return result.rows.map(toHit);
    },
    async vectorBackend() {
      return vectorBackend;
    },
  };
}

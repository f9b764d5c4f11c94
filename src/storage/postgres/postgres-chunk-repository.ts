/**
 * Chunks on Postgres: a generated tsvector with GIN for keywords (ts_rank_cd; fusion normalises each
 * list's scores, so it need not be BM25), and `real[]` embeddings, searched as decoded in memory
 * (vector-cache.ts). A store too large to hold, or a search inside a transaction, compares them in SQL:
 * with pgvector's `<=>` operator on a cast when the server has it, otherwise a plain-SQL dot product
 * (embeddings are unit length, so it equals cosine similarity). Which one is probed once per pool.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../kysely/database.ts';
import { fileChunkMethods } from '../kysely/chunk-embeddings.ts';
import { keywordTerms } from '../kysely/keyword-terms.ts';
import type { VectorCache } from '../kysely/vector-cache.ts';
import type { ChunkHit, ChunkRepository, ChunkScope } from '../store.ts';

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

/**
 * The schema pgvector is installed in (installing it when the role may), or undefined without it;
 * probed once per store. Its type and operator are then named with that schema, because the
 * extension is per database and need not be on this connection's search_path.
 */
export async function probePgvector(db: Kysely<Database>): Promise<string | undefined> {
  try {
    await sql`create extension if not exists vector`.execute(db);
  } catch {
    // Not available on this server, or no privilege to install it: the plain-SQL path is used.
  }
  const found = await sql<{ schema: string }>`
    select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'vector'`.execute(
    db,
  );
  return found.rows[0]?.schema;
}

export function postgresChunkRepository(
  db: Kysely<Database>,
  pgvector: () => Promise<string | undefined>,
  vectors: VectorCache,
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
                embedding: Array.from(vector),
              }))
            : [],
        );
        if (embeddings.length > 0)
          await db.insertInto('chunk_embeddings').values(embeddings).execute();
      }
    },
    ...fileChunkMethods(db, (vector) => Array.from(vector)),
    async keywordSearch(scope, query, limit) {
      const terms = keywordTerms(query);
      if (terms.length === 0 || scope.vectorStoreIds.length === 0) return [];
      const result = await sql<HitRow>`
        select c.id, c.vector_store_id, c.file_id, c.chunk_index, c.text, ts_rank_cd(c.tsv, query) as score
          from chunks c, to_tsquery('english', ${terms.join(' | ')}) query
         where c.tsv @@ query and ${scopeCondition(scope, 'c')}
         order by score desc, c.id
         limit ${limit}`.execute(db);
      return result.rows.map(toHit);
    },
    async vectorSearch(scope, embedding, model, limit) {
      if (scope.vectorStoreIds.length === 0) return [];
      // Probed (once per pool) before anything else, so that a first probe never waits for a
      // connection that this search's own transaction holds.
      const schema = await pgvector();
      const cached = await vectors.search(db, scope, embedding, model, limit);
      if (cached) return cached;
      const vector = Array.from(embedding);
      const distance = schema
        ? sql`(cast(e.embedding as ${sql.id(schema, 'vector')}) operator(${sql.id(schema)}.<=>) cast(${`[${vector.join(',')}]`} as ${sql.id(schema, 'vector')}))`
        : sql`1 - (select sum(a * b) from unnest(e.embedding, ${vector}::real[]) as pair(a, b))`;
      const result = await sql<HitRow>`
        with nearest as (
          select e.chunk_id, min(${distance}) as distance
            from chunk_embeddings e
           where e.model = ${model} and array_length(e.embedding, 1) = ${vector.length} and ${scopeCondition(scope, 'e')}
           group by e.chunk_id
           order by distance, e.chunk_id
           limit ${limit})
        select c.id, c.vector_store_id, c.file_id, c.chunk_index, c.text, 1 - nearest.distance as score
          from nearest join chunks c on c.id = nearest.chunk_id
         order by nearest.distance, c.id`.execute(db);
      return result.rows.map(toHit);
    },
    async vectorBackend() {
      return (await pgvector()) !== undefined ? 'pgvector' : 'plain-sql';
    },
  };
}

/** The embedding cache on Kysely: float32 blobs keyed by (model, content hash), for both dialects. */
import type { Kysely } from 'kysely';
import type { EmbeddingCacheRepository } from '../store.ts';
import type { Database } from './database.ts';

export function toFloat32Blob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function fromFloat32Blob(blob: Uint8Array): Float32Array {
  // Copy: the driver's buffer may be pooled and is not guaranteed to be 4-byte aligned.
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

export function embeddingCacheRepository(db: Kysely<Database>): EmbeddingCacheRepository {
  return {
    async getMany(model, contentHashes) {
      const found = new Map<string, Float32Array>();
      for (let start = 0; start < contentHashes.length; start += 500) {
        const rows = await db
          .selectFrom('embedding_cache')
          .select(['content_hash', 'embedding'])
          .where('model', '=', model)
          .where('content_hash', 'in', contentHashes.slice(start, start + 500))
          .execute();
        for (const row of rows) found.set(row.content_hash, fromFloat32Blob(row.embedding));
      }
      return found;
    },
    async putMany(model, entries) {
      for (let start = 0; start < entries.length; start += 200) {
        const values = entries.slice(start, start + 200).map((entry) => ({
          model,
          content_hash: entry.contentHash,
          embedding: toFloat32Blob(entry.embedding),
        }));
        await db
          .insertInto('embedding_cache')
          .values(values)
          .onConflict((conflict) => conflict.columns(['model', 'content_hash']).doNothing())
          .execute();
      }
    },
  };
}

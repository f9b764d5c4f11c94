/**
 * Embeds texts through the embedding cache: each text is keyed by the SHA-256 of its content, only
 * cache misses (de-duplicated) reach the model, and every vector comes back unit length, so cosine
 * similarity is a dot product in every backend.
 */
import { createHash } from 'node:crypto';
import type { EmbeddingModel } from '../../models/embedding-model.ts';
import type { EmbeddingCacheRepository } from '../../storage/store.ts';

export interface Embedder {
  readonly model: string;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  /**
   * One vector per window of each text (see `EmbeddingModel.windows`), in order: one for a text the
   * model reads whole. Each window is embedded, and cached, as a text of its own.
   */
  embedWindows(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[][]>;
  /** One vector per search query, each read as the model reads queries (`EmbeddingModel.queryText`). */
  embedQueries(queries: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  return vector.map((value) => value / norm);
}

export function createCachedEmbedder(
  model: EmbeddingModel,
  cache: EmbeddingCacheRepository,
): Embedder {
  const embedder: Embedder = {
    model: model.id,
    async embedWindows(texts, options = {}) {
      const perText = texts.map((text) => (model.windows ? model.windows(text) : [text]));
      const vectors = await embedder.embed(perText.flat(), options);
      let next = 0;
      return perText.map((windows) => vectors.slice(next, (next += windows.length)));
    },
    embedQueries(queries, options = {}) {
      const asRead = model.queryText?.bind(model);
      return embedder.embed(asRead ? queries.map(asRead) : queries, options);
    },
    async embed(texts, options = {}) {
      const hashes = texts.map(contentHash);
      const found = await cache.getMany(model.id, [...new Set(hashes)]);
      const missing = [
        ...new Map(
          hashes.flatMap((hash, index) =>
            found.has(hash) ? [] : [[hash, texts[index]!] as const],
          ),
        ).entries(),
      ];
      if (missing.length > 0) {
        const vectors = await model.embed(
          missing.map(([, text]) => text),
          options,
        );
        const entries = missing.map(([hash], index) => ({
          contentHash: hash,
          embedding: normalize(vectors[index]!),
        }));
        await cache.putMany(model.id, entries);
        for (const entry of entries) found.set(entry.contentHash, entry.embedding);
      }
      return hashes.map((hash) => normalize(found.get(hash)!));
    },
  };
  return embedder;
}

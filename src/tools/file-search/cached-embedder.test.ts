import { describe, expect, it } from 'vitest';
import type { EmbeddingModel } from '../../models/embedding-model.ts';
import type { EmbeddingCacheRepository } from '../../storage/store.ts';
import { createCachedEmbedder } from './cached-embedder.ts';

function memoryCache(): EmbeddingCacheRepository {
  const entries = new Map<string, Float32Array>();
  return {
    async getMany(model, hashes) {
      return new Map(
        hashes.flatMap((hash) => {
          const found = entries.get(`${model} ${hash}`);
          return found ? [[hash, found] as const] : [];
        }),
      );
    },
    async putMany(model, list) {
      for (const entry of list) entries.set(`${model} ${entry.contentHash}`, entry.embedding);
    },
  };
}

/** A model that records what it was asked to embed, and reads queries in upper case. */
function recordingModel(): EmbeddingModel & { seen: string[] } {
  const seen: string[] = [];
  return {
    id: 'recording',
    seen,
    queryText: (query) => query.toUpperCase(),
    async embed(inputs) {
      seen.push(...inputs);
      return inputs.map((input) => Float32Array.of(input.length, 1));
    },
  };
}

describe('createCachedEmbedder', () => {
  it('embeds search queries as the model reads them, and passages as written', async () => {
    const model = recordingModel();
    const embedder = createCachedEmbedder(model, memoryCache());
    await embedder.embedWindows(['a passage']);
    await embedder.embed(['a text']);
    await embedder.embedQueries(['a question']);
    expect(model.seen).toEqual(['a passage', 'a text', 'A QUESTION']);
  });

  it('embeds queries as typed for a model without a query reading', async () => {
    const model = recordingModel();
    delete (model as Partial<EmbeddingModel>).queryText;
    const embedder = createCachedEmbedder(model, memoryCache());
    await embedder.embedQueries(['a question', 'a question']);
    expect(model.seen).toEqual(['a question']);
  });
});

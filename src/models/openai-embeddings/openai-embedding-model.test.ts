import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestEmbeddingServer,
  TEST_EMBEDDING_MODEL,
  trigramEmbedding,
  type TestEmbeddingServer,
} from '../../../test/helpers/embedding-server.ts';
import { EmbeddingError } from '../embedding-model.ts';
import { createOpenAIEmbeddingModel } from './openai-embedding-model.ts';

describe('OpenAI-compatible embeddings adapter (against the test embedding server)', () => {
  let server: TestEmbeddingServer;
  beforeAll(async () => {
    server = await startTestEmbeddingServer();
  });
  afterAll(() => server.close());

  const model = (overrides = {}) =>
    createOpenAIEmbeddingModel({
      baseURL: server.baseURL,
      model: TEST_EMBEDDING_MODEL,
      apiKey: 'k',
      initialBackoffMilliseconds: 1,
      ...overrides,
    });

  it('embeds in batches and returns one vector per input, in input order', async () => {
    const before = server.requests;
    const inputs = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const vectors = await model({ batchSize: 2 }).embed(inputs);
    expect(server.requests - before).toBe(3);
    expect(vectors.map((vector) => Array.from(vector))).toEqual(
      inputs.map((input) => Array.from(Float32Array.from(trigramEmbedding(input)))),
    );
  });

  it('retries server errors and succeeds when the upstream recovers', async () => {
    const before = server.requests;
    server.failNext(2, 503);
    const [vector] = await model().embed(['recovering']);
    expect(vector).toHaveLength(256);
    expect(server.requests - before).toBe(3);
  });

  it('gives up after its retries with an error naming the endpoint', async () => {
    server.failNext(10, 500);
    await expect(model({ maxRetries: 2 }).embed(['never'])).rejects.toThrow(
      /kept failing after 3 attempts: HTTP 500/,
    );
    server.failNext(0);
  });

  it('does not retry a request the upstream refuses', async () => {
    const before = server.requests;
    server.failNext(1, 400);
    await expect(model().embed(['refused'])).rejects.toBeInstanceOf(EmbeddingError);
    expect(server.requests - before).toBe(1);
  });
});

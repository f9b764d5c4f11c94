import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestEmbeddingServer,
  TEST_EMBEDDING_MODEL,
  type TestEmbeddingServer,
} from '../../../test/helpers/embedding-server.ts';
import { uploadFile, waitForVectorStore } from '../../../test/helpers/files-api.ts';
import { request } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const DOCUMENTS: Record<string, string> = {
  'refunds.txt': 'Our refund policy: customers are reimbursed within thirty days.',
  'shipping.txt': 'Parcels travel by courier and arrive within five business days.',
  'privacy.txt': 'We never sell personal information to advertisers.',
};

async function storeWithDocuments(app: TestApp) {
  const ids = [];
  for (const [name, text] of Object.entries(DOCUMENTS))
    ids.push((await uploadFile(app.server, name, text)).id);
  const store = (await request(app.server, 'POST', '/v1/vector_stores', { file_ids: ids })).body;
  const done = await waitForVectorStore(app.server, store.id);
  expect(done.file_counts.completed).toBe(3);
  return store.id as string;
}

describe('hybrid retrieval (test embedding model over HTTP)', () => {
  let embeddings: TestEmbeddingServer;
  let hybrid: TestApp;
  let keywordOnly: TestApp;
  beforeAll(async () => {
    embeddings = await startTestEmbeddingServer();
    hybrid = await createTestApp({
      config: { embeddingModel: TEST_EMBEDDING_MODEL, providerBaseUrl: embeddings.baseURL },
    });
    keywordOnly = await createTestApp();
  });
  afterAll(async () => {
    await hybrid.destroy();
    await keywordOnly.destroy();
    await embeddings.close();
  });

  it('finds a misspelled query that keyword search misses', async () => {
    const hybridStore = await storeWithDocuments(hybrid);
    const keywordStore = await storeWithDocuments(keywordOnly);
    const query = { query: 'refnd polcy' };
    expect(
      (await request(keywordOnly.server, 'POST', `/v1/vector_stores/${keywordStore}/search`, query))
        .body.data,
    ).toEqual([]);
    const found = await request(
      hybrid.server,
      'POST',
      `/v1/vector_stores/${hybridStore}/search`,
      query,
    );
    expect(found.body.data[0].filename).toBe('refunds.txt');
    // Exact words still rank first by both retrievers.
    const exact = await request(hybrid.server, 'POST', `/v1/vector_stores/${hybridStore}/search`, {
      query: 'courier parcels',
    });
    expect(exact.body.data[0]).toMatchObject({ filename: 'shipping.txt', score: 1 });
  });

  it('embeds each distinct chunk once: a second store of the same content hits the cache', async () => {
    const text = 'A unique sentence about lighthouses and their keepers.';
    const first = await uploadFile(hybrid.server, 'lighthouse-1.txt', text);
    const store = (
      await request(hybrid.server, 'POST', '/v1/vector_stores', { file_ids: [first.id] })
    ).body;
    await waitForVectorStore(hybrid.server, store.id);
    const embedded = embeddings.embeddedInputs;
    const second = await uploadFile(hybrid.server, 'lighthouse-2.txt', text);
    const again = (
      await request(hybrid.server, 'POST', '/v1/vector_stores', { file_ids: [second.id] })
    ).body;
    expect((await waitForVectorStore(hybrid.server, again.id)).file_counts.completed).toBe(1);
    expect(embeddings.embeddedInputs).toBe(embedded);
  });

  it('fails the file with a server_error when the embedding upstream refuses, and keeps serving', async () => {
    const file = await uploadFile(
      hybrid.server,
      'never.txt',
      'Text that the upstream will refuse to embed: zeppelins.',
    );
    embeddings.failNext(1, 400);
    const store = (
      await request(hybrid.server, 'POST', '/v1/vector_stores', { file_ids: [file.id] })
    ).body;
    const done = await waitForVectorStore(hybrid.server, store.id);
    expect(done.file_counts).toMatchObject({ failed: 1, in_progress: 0 });
    const failed = (
      await request(hybrid.server, 'GET', `/v1/vector_stores/${store.id}/files/${file.id}`)
    ).body;
    expect(failed.last_error).toMatchObject({
      code: 'server_error',
      message: expect.stringMatching(/embeddings endpoint .* refused/),
    });
    const retry = await request(hybrid.server, 'POST', `/v1/vector_stores/${store.id}/files`, {
      file_id: file.id,
    });
    expect(retry.body.status).toBe('in_progress');
    expect((await waitForVectorStore(hybrid.server, store.id)).file_counts).toMatchObject({
      completed: 1,
      failed: 0,
    });
  });

  it('falls back to keyword search while the embedding upstream refuses queries', async () => {
    const store = await storeWithDocuments(hybrid);
    embeddings.failNext(1, 400);
    const response = await request(hybrid.server, 'POST', `/v1/vector_stores/${store}/search`, {
      query: 'privacy advertisers',
    });
    expect(response.status).toBe(200);
    expect(response.body.data[0].filename).toBe('privacy.txt');
  });

  it('answers a query with no words with no results rather than arbitrary chunks', async () => {
    const store = await storeWithDocuments(hybrid);
    const response = await request(hybrid.server, 'POST', `/v1/vector_stores/${store}/search`, {
      query: '?!?',
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
  });
});

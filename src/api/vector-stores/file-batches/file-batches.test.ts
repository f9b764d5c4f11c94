import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile, waitForVectorStore } from '../../../../test/helpers/files-api.ts';
import { errorOf, request } from '../../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { waitFor } from '../../../../test/helpers/wait-for.ts';

describe('/v1/vector_stores/{id}/file_batches', () => {
  let app: TestApp;
  let idle: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    // No ingestion worker in this process: batches stay in progress until cancelled.
    idle = await createTestApp({ config: { worker: false } });
  });
  afterAll(async () => {
    await app.destroy();
    await idle.destroy();
  });

  it('indexes a batch, counts its files, and lists them by status', async () => {
    const files = [
      await uploadFile(app.server, 'one.txt', 'First document about owls.'),
      await uploadFile(app.server, 'two.txt', 'Second document about otters.'),
      await uploadFile(app.server, 'bad.exe', 'MZ'),
    ];
    const store = (await request(app.server, 'POST', '/v1/vector_stores', {})).body;
    const created = await request(
      app.server,
      'POST',
      `/v1/vector_stores/${store.id}/file_batches`,
      {
        file_ids: [...files.map((file) => file.id), files[0]!.id],
        attributes: { source: 'upload' },
      },
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^vsfb_/),
      object: 'vector_store.files_batch',
      vector_store_id: store.id,
      file_counts: { total: 3 },
    });
    const done = await waitFor(async () => {
      const response = await request(
        app.server,
        'GET',
        `/v1/vector_stores/${store.id}/file_batches/${created.body.id}`,
      );
      return response.body.status !== 'in_progress' && response;
    }, 'the batch to finish');
    expect(done.headers['openai-poll-after-ms']).toBe('250');
    expect(done.body).toMatchObject({
      status: 'completed',
      file_counts: { in_progress: 0, completed: 2, failed: 1, cancelled: 0, total: 3 },
    });
    const failed = await request(
      app.server,
      'GET',
      `/v1/vector_stores/${store.id}/file_batches/${created.body.id}/files?filter=failed`,
    );
    expect(failed.body.data.map((item: { id: string }) => item.id)).toEqual([files[2]!.id]);
    const all = await request(
      app.server,
      'GET',
      `/v1/vector_stores/${store.id}/file_batches/${created.body.id}/files?order=asc`,
    );
    expect(all.body.data.map((item: { attributes: object }) => item.attributes)).toEqual([
      { source: 'upload' },
      { source: 'upload' },
      { source: 'upload' },
    ]);
    await waitForVectorStore(app.server, store.id);
  });

  it('cancels the files still in progress', async () => {
    const files = [
      await uploadFile(idle.server, 'a.txt', 'a'),
      await uploadFile(idle.server, 'b.txt', 'b'),
    ];
    const store = (await request(idle.server, 'POST', '/v1/vector_stores', {})).body;
    const batch = (
      await request(idle.server, 'POST', `/v1/vector_stores/${store.id}/file_batches`, {
        file_ids: files.map((file) => file.id),
      })
    ).body;
    expect(batch).toMatchObject({
      status: 'in_progress',
      file_counts: { in_progress: 2, total: 2 },
    });
    const cancelled = await idle.server.inject({
      method: 'POST',
      url: `/v1/vector_stores/${store.id}/file_batches/${batch.id}/cancel`,
      headers: { authorization: 'Bearer t' },
    });
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      file_counts: { in_progress: 0, cancelled: 2, total: 2 },
    });
    expect((await request(idle.server, 'GET', `/v1/vector_stores/${store.id}`)).body).toMatchObject(
      { status: 'completed', file_counts: { cancelled: 2 } },
    );
    const again = await idle.server.inject({
      method: 'POST',
      url: `/v1/vector_stores/${store.id}/file_batches/${batch.id}/cancel`,
      headers: { authorization: 'Bearer t' },
    });
    expect(again.json().status).toBe('cancelled');
  });

  it.each([
    ['neither file_ids nor files', {}, 'file_ids'],
    [
      'both file_ids and files',
      { file_ids: ['file-a'], files: [{ file_id: 'file-a' }] },
      'file_ids',
    ],
    ['an empty file_ids', { file_ids: [] }, 'file_ids'],
    [
      '2001 file ids',
      { file_ids: Array.from({ length: 2001 }, (_, index) => `file-${index}`) },
      'file_ids',
    ],
  ])('rejects a batch with %s', async (_label, body, param) => {
    const store = (await request(idle.server, 'POST', '/v1/vector_stores', {})).body;
    const response = await request(
      idle.server,
      'POST',
      `/v1/vector_stores/${store.id}/file_batches`,
      body,
    );
    expect(response.status).toBe(400);
    expect(errorOf(response).param).toBe(param);
  });

  it('answers 404 for unknown files, batches and stores', async () => {
    const store = (await request(idle.server, 'POST', '/v1/vector_stores', {})).body;
    const unknownFile = await request(
      idle.server,
      'POST',
      `/v1/vector_stores/${store.id}/file_batches`,
      { files: [{ file_id: 'file-nope' }] },
    );
    expect(errorOf(unknownFile)).toMatchObject({
      message: "No file found with id 'file-nope'.",
      param: 'files',
    });
    expect(
      (await request(idle.server, 'GET', `/v1/vector_stores/${store.id}/file_batches/vsfb_nope`))
        .status,
    ).toBe(404);
    expect(
      errorOf(await request(idle.server, 'GET', '/v1/vector_stores/vs_nope/file_batches/vsfb_nope'))
        .message,
    ).toBe("No vector store found with id 'vs_nope'.");
  });
});

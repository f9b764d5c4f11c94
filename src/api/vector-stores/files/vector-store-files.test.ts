import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../../../test/helpers/document-fixtures.ts';
import { uploadFile, waitForVectorStore } from '../../../../test/helpers/files-api.ts';
import { errorOf, request } from '../../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { waitFor } from '../../../../test/helpers/wait-for.ts';
import { createLocalDiskBlobStore } from '../../../blobs/local-disk/local-disk-blob-store.ts';
import {
  createDocumentParser,
  documentParserOptions,
} from '../../../tools/file-search/document-parser.ts';
import { createIngestionWorker } from '../../../tools/file-search/ingestion-worker.ts';

describe('/v1/vector_stores/{id}/files', () => {
  let app: TestApp;
  beforeAll(async () => {
    // A small token limit makes the 10,000-page PDF fail fast instead of indexing for seconds.
    app = await createTestApp({ config: { fileSearchMaxTokensPerFile: 2_000 } });
  });
  afterAll(() => app.destroy());

  const storeFile = (storeId: string, fileId: string) =>
    request(app.server, 'GET', `/v1/vector_stores/${storeId}/files/${fileId}`);

  it('adds a file with static chunking and attributes, polls it to completion, updates and removes it', async () => {
    const file = await uploadFile(app.server, 'guide.txt', 'Lanterns. '.repeat(400));
    const store = (await request(app.server, 'POST', '/v1/vector_stores', { name: 'kb' })).body;
    const created = await request(app.server, 'POST', `/v1/vector_stores/${store.id}/files`, {
      file_id: file.id,
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 20 },
      },
      attributes: { lang: 'en', rank: 3 },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: file.id,
      object: 'vector_store.file',
      vector_store_id: store.id,
      status: 'in_progress',
      last_error: null,
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 20 },
      },
      attributes: { lang: 'en', rank: 3 },
    });
    const polled = await storeFile(store.id, file.id);
    expect(polled.headers['openai-poll-after-ms']).toBe('250');
    const done = await waitFor(async () => {
      const response = await storeFile(store.id, file.id);
      return response.body.status === 'completed' && response.body;
    }, 'the file to be indexed');
    expect(done.usage_bytes).toBeGreaterThan(0);

    const auto = await uploadFile(app.server, 'auto.txt', 'auto chunking');
    const autoFile = (
      await request(app.server, 'POST', `/v1/vector_stores/${store.id}/files`, {
        file_id: auto.id,
        chunking_strategy: { type: 'auto' },
      })
    ).body;
    expect(autoFile.chunking_strategy).toEqual({
      type: 'static',
      static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
    });

    const updated = await request(
      app.server,
      'POST',
      `/v1/vector_stores/${store.id}/files/${file.id}`,
      { attributes: { lang: 'fr' } },
    );
    expect(updated.body.attributes).toEqual({ lang: 'fr' });
    expect(
      (await request(app.server, 'POST', `/v1/vector_stores/${store.id}/files/${file.id}`, {}))
        .status,
    ).toBe(400);

    await waitForVectorStore(app.server, store.id);
    const listed = await request(
      app.server,
      'GET',
      `/v1/vector_stores/${store.id}/files?filter=completed&order=asc`,
    );
    expect(listed.body.data.map((item: { id: string }) => item.id)).toEqual([file.id, auto.id]);
    expect(
      (await request(app.server, 'GET', `/v1/vector_stores/${store.id}/files?filter=failed`)).body
        .data,
    ).toEqual([]);
    expect(
      (await request(app.server, 'GET', `/v1/vector_stores/${store.id}/files?filter=broken`))
        .status,
    ).toBe(400);

    const removed = await request(
      app.server,
      'DELETE',
      `/v1/vector_stores/${store.id}/files/${file.id}`,
    );
    expect(removed.body).toEqual({
      id: file.id,
      object: 'vector_store.file.deleted',
      deleted: true,
    });
    expect((await storeFile(store.id, file.id)).status).toBe(404);
    expect((await request(app.server, 'GET', `/v1/files/${file.id}`)).status).toBe(200);
    const search = await request(app.server, 'POST', `/v1/vector_stores/${store.id}/search`, {
      query: 'lanterns',
    });
    expect(search.body.data).toEqual([]);
  });

  it.each([
    [
      'a corrupt PDF',
      'broken.pdf',
      Buffer.from('%PDF-1.7\n1 0 obj <<< garbage'),
      'invalid_file',
      /could not be read as a PDF/,
    ],
    [
      'binary bytes under a text name',
      'photo.txt',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x00]),
      'invalid_file',
      /binary content under a text name/,
    ],
    [
      'an unsupported format',
      'picture.png',
      Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      'unsupported_file',
      /extension \[\.png\] are not supported/,
    ],
    [
      'a DOCX that is not a zip',
      'memo.docx',
      Buffer.from('not a zip at all'),
      'invalid_file',
      /could not be read as a DOCX/,
    ],
    [
      'a PDF without text',
      'blank.pdf',
      makePdf(['']),
      'invalid_file',
      /No text could be extracted/,
    ],
    [
      'a 10,000-page PDF over the token limit',
      'manual.pdf',
      makePdf(
        Array.from(
          { length: 10_000 },
          (_, page) => `Page ${page} explains the widget assembly in detail.`,
        ),
      ),
      'invalid_file',
      /too large for file search/,
    ],
  ])(
    'fails %s with last_error, and the store does not stay in progress',
    async (_label, name, content, code, message) => {
      const file = await uploadFile(app.server, name, content);
      const good = await uploadFile(app.server, 'good.txt', 'Healthy content about kettles.');
      const store = (
        await request(app.server, 'POST', '/v1/vector_stores', { file_ids: [file.id, good.id] })
      ).body;
      const done = await waitForVectorStore(app.server, store.id);
      expect(done.file_counts).toMatchObject({ failed: 1, completed: 1, in_progress: 0, total: 2 });
      const failed = (await storeFile(store.id, file.id)).body;
      expect(failed.status).toBe('failed');
      expect(failed.last_error.code).toBe(code);
      expect(failed.last_error.message).toMatch(message);
      // The worker survived: the healthy file was indexed and is searchable.
      const search = await request(app.server, 'POST', `/v1/vector_stores/${store.id}/search`, {
        query: 'kettles',
      });
      expect(search.body.data[0].file_id).toBe(good.id);
      const parsed = await request(
        app.server,
        'GET',
        `/v1/vector_stores/${store.id}/files/${file.id}/content`,
      );
      expect(parsed.status).toBe(400);
    },
  );

  it('drops a deleted file from every store, and refuses to add it again', async () => {
    const file = await uploadFile(app.server, 'temp.txt', 'Temporary notes about teapots.');
    const first = (await request(app.server, 'POST', '/v1/vector_stores', { file_ids: [file.id] }))
      .body;
    const second = (await request(app.server, 'POST', '/v1/vector_stores', { file_ids: [file.id] }))
      .body;
    await waitForVectorStore(app.server, first.id);
    await waitForVectorStore(app.server, second.id);
    expect((await request(app.server, 'DELETE', `/v1/files/${file.id}`)).body.deleted).toBe(true);
    for (const store of [first, second]) {
      const after = (await request(app.server, 'GET', `/v1/vector_stores/${store.id}`)).body;
      expect(after.file_counts.total).toBe(0);
      expect(
        (
          await request(app.server, 'POST', `/v1/vector_stores/${store.id}/search`, {
            query: 'teapots',
          })
        ).body.data,
      ).toEqual([]);
    }
    const again = await request(app.server, 'POST', `/v1/vector_stores/${first.id}/files`, {
      file_id: file.id,
    });
    expect(again.status).toBe(404);
    expect(errorOf(again).message).toBe(`No file found with id '${file.id}'.`);
  });

  it('answers 404 for a file that is not in the store and for a store that does not exist', async () => {
    const file = await uploadFile(app.server, 'x.txt', 'x');
    const store = (await request(app.server, 'POST', '/v1/vector_stores', {})).body;
    expect(errorOf(await storeFile(store.id, file.id)).param).toBe('file_id');
    expect(errorOf(await storeFile('vs_nothing', file.id)).message).toBe(
      "No vector store found with id 'vs_nothing'.",
    );
    expect(
      (
        await request(app.server, 'POST', '/v1/vector_stores/vs_nothing/files', {
          file_id: file.id,
        })
      ).status,
    ).toBe(404);
  });

  it('fails a queued file whose file vanished before it was indexed, instead of leaving it in progress', async () => {
    const idle = await createTestApp({ config: { worker: false } });
    try {
      const file = await uploadFile(idle.server, 'vanishing.txt', 'Soon gone.');
      const kept = await uploadFile(idle.server, 'kept.txt', 'Still here.');
      const store = (
        await request(idle.server, 'POST', '/v1/vector_stores', { file_ids: [file.id, kept.id] })
      ).body;
      // Another node removed the file's row and bytes behind this one's back.
      await idle.store.files.delete('proj_default', file.id);
      const blobs = createLocalDiskBlobStore(idle.config.dataDir);
      await blobs.delete(file.id);
      const parser = createDocumentParser(documentParserOptions(idle.config));
      const worker = createIngestionWorker({
        store: idle.store,
        blobs,
        parser,
        concurrency: 1,
        leaseMilliseconds: 5000,
        maxTokensPerFile: 10_000,
        log: { error() {}, warn() {} },
      });
      worker.start();
      try {
        const done = await waitForVectorStore(idle.server, store.id);
        expect(done.file_counts).toMatchObject({ completed: 1, failed: 1, in_progress: 0 });
      } finally {
        await worker.stop();
        await parser.close();
      }
      const failed = (
        await request(idle.server, 'GET', `/v1/vector_stores/${store.id}/files/${file.id}`)
      ).body;
      expect(failed.last_error).toEqual({
        code: 'invalid_file',
        message: `The file ${file.id} was deleted or has expired.`,
      });
    } finally {
      await idle.destroy();
    }
  });
});

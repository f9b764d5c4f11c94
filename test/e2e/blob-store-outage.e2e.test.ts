/**
 * A server whose S3 bucket goes away (its endpoint's port closed, every connection cut) and comes
 * back: uploads and downloads answer 503 `storage_unavailable` with `Retry-After` meanwhile, what only
 * needs the database (`/health`, retrieving and listing files, deleting one) keeps working, a failed
 * upload leaves no file row, and once the bucket is back every file serves its bytes. The SDK client
 * makes no retries of its own, so the 503 is what the server answered; the blob store has short
 * timeouts and one retry, so the test does not wait out the production ones.
 */
import OpenAI, { toFile, type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore } from '../../src/blobs/s3/s3-blob-store.ts';
import { S3_TEST_CREDENTIALS, startS3Server, type S3Server } from '../helpers/s3-server.ts';
import { expectContentMissing, failure, sortedIds } from '../helpers/api-failure.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

const UNAVAILABLE = {
  message: 'The file storage is not reachable right now; please retry the request.',
  type: 'server_error',
  param: null,
  code: 'storage_unavailable',
};

function expectUnavailable(error: APIError) {
  expect(error.status).toBe(503);
  expect(error.headers?.get('retry-after')).toBe('5');
  expect(error.error).toEqual(UNAVAILABLE);
}

describe('an S3 bucket that goes away and comes back', () => {
  let s3: S3Server;
  let blobs: ReturnType<typeof createS3BlobStore>;
  /** The keys the server read, in order (every `get` of its blob store). */
  const reads: string[] = [];
  let app: TestApp;
  let baseURL: string;
  let client: OpenAI;

  beforeAll(async () => {
    s3 = await startS3Server();
    blobs = createS3BlobStore({
      bucket: s3.bucket,
      prefix: 'outage',
      client: {
        endpoint: s3.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: S3_TEST_CREDENTIALS,
        maxAttempts: 2,
      },
      timeouts: { connectMs: 500, idleMs: 1_000, requestMs: 5_000 },
    });
    // The orphaned-blob sweep every second, so a blob left by a deletion during the outage goes soon.
    const started = await createListeningTestApp({
      config: { blobSweepIntervalSeconds: 1 },
      overrides: {
        blobs: {
          ...blobs,
          get(key) {
            reads.push(key);
            return blobs.get(key);
          },
        },
      },
    });
    app = started.app;
    baseURL = started.baseURL;
    client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0 });
  });

  afterAll(async () => {
    await app?.destroy();
    blobs?.close();
    await s3?.stop();
  });

  const upload = async (name: string, content: string) =>
    client.files.create({
      file: await toFile(Buffer.from(content), name),
      purpose: 'assistants',
    });

  const listedIds = () => sortedIds(client.files.list());

  it('answers 503 storage_unavailable for bytes while it is gone, leaves no row without bytes, and serves everything once it is back', async () => {
    const kept = await upload('kept.txt', 'kept through the outage');
    const doomed = await upload('doomed.txt', 'deleted during the outage');
    await s3.interrupt();
    try {
      expectUnavailable(await failure(upload('lost.txt', 'never stored')));
      expectUnavailable(await failure(client.files.content(kept.id)));
      // What needs only the database goes on.
      expect((await fetch(new URL('/health', baseURL))).status).toBe(200);
      expect((await client.files.retrieve(kept.id)).bytes).toBe(kept.bytes);
      expect(await listedIds()).toEqual([kept.id, doomed.id].sort());
      // The row goes first, so the file is deleted; its bytes are left to the orphaned-blob sweep.
      expect(await client.files.delete(doomed.id)).toMatchObject({ deleted: true });
      expect((await failure(client.files.retrieve(doomed.id))).status).toBe(404);
    } finally {
      await s3.resume();
    }
    expect(await listedIds()).toEqual([kept.id]);
    expect(await (await client.files.content(kept.id)).text()).toBe('kept through the outage');
    const after = await upload('after.txt', 'stored after the outage');
    expect(await (await client.files.content(after.id)).text()).toBe('stored after the outage');
    // Every row has its bytes, and the blob of the file deleted meanwhile is swept.
    const ids = await listedIds();
    expect(ids).toEqual([kept.id, after.id].sort());
    for (const id of ids) expect(await blobs.size(id)).toBeGreaterThan(0);
    await expect
      .poll(() => blobs.size(doomed.id), { timeout: 15_000, interval: 250 })
      .toBeUndefined();
  });

  it('answers 404 file_content_missing for a file whose bytes the bucket lost', async () => {
    const file = await upload('lost-bytes.txt', 'about to be lost');
    await blobs.delete(file.id); // as an emptied bucket or a restore without the blobs would
    expectContentMissing(await failure(client.files.content(file.id)), file.id, 'file_id');
    await client.files.delete(file.id);
    expect((await failure(client.files.content(file.id))).status).toBe(404);
  });

  const containerFileIds = (containerId: string) =>
    sortedIds(client.containers.files.list(containerId));

  const containerIds = () => sortedIds(client.containers.list());

  it('answers 503 for container files while it is gone, leaving no container or container file without bytes', async () => {
    const source = await upload('source.txt', 'copied into containers');
    const container = await client.containers.create({ name: 'outage' });
    const kept = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('kept in the container'), 'kept.txt'),
    });
    const before = await containerIds();
    await s3.interrupt();
    try {
      const uploaded = client.containers.files.create(container.id, {
        file: await toFile(Buffer.from('never stored'), 'lost.txt'),
      });
      expectUnavailable(await failure(uploaded));
      expectUnavailable(
        await failure(client.containers.files.create(container.id, { file_id: source.id })),
      );
      expectUnavailable(
        await failure(
          client.containers.files.content.retrieve(kept.id, { container_id: container.id }),
        ),
      );
      // A container whose files cannot be copied is not created with part of them.
      expectUnavailable(
        await failure(client.containers.create({ name: 'copied', file_ids: [source.id] })),
      );
      expect(await containerIds()).toEqual(before);
      expect(await containerFileIds(container.id)).toEqual([kept.id]);
    } finally {
      await s3.resume();
    }
    const copied = await client.containers.files.create(container.id, { file_id: source.id });
    expect(await containerFileIds(container.id)).toEqual([kept.id, copied.id].sort());
    const content = client.containers.files.content.retrieve(copied.id, {
      container_id: container.id,
    });
    expect(await (await content).text()).toBe('copied into containers');
    await client.containers.delete(container.id);
  });

  it('answers 404 file_content_missing for container files whose bytes the bucket lost', async () => {
    const source = await upload('lost-source.txt', 'about to be lost');
    const container = await client.containers.create({ name: 'lost' });
    const file = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('about to be lost too'), 'lost.txt'),
    });
    await blobs.delete(file.id);
    await blobs.delete(source.id);
    const missing = client.containers.files.content.retrieve(file.id, {
      container_id: container.id,
    });
    expectContentMissing(await failure(missing), file.id, 'file_id', 'container file');
    // Copying a file whose bytes are lost: the same 404, naming the file.
    const copy = await failure(
      client.containers.files.create(container.id, { file_id: source.id }),
    );
    expect(copy.status).toBe(404);
    expect(copy.error).toMatchObject({ param: 'file_id', code: 'file_content_missing' });
    const before = await containerIds();
    const create = await failure(client.containers.create({ name: 'x', file_ids: [source.id] }));
    expect(create.status).toBe(404);
    expect(create.error).toMatchObject({ param: 'file_ids', code: 'file_content_missing' });
    expect(await containerIds()).toEqual(before);
    expect(await containerFileIds(container.id)).toEqual([file.id]);
    await client.containers.delete(container.id);
  });

  it('indexes a file added to a vector store while it is gone once it is back, instead of failing it', async () => {
    const file = await upload(
      'indexed.txt',
      'The outage delays indexing of zanzibar but loses nothing.',
    );
    await s3.interrupt();
    let store;
    try {
      store = await client.vectorStores.create({ name: 'outage', file_ids: [file.id] });
      // The worker read the file, met the outage, and tried again later: the file waits meanwhile.
      await expect
        .poll(() => reads.filter((key) => key === file.id).length, {
          timeout: 15_000,
          interval: 100,
        })
        .toBeGreaterThanOrEqual(2);
      const waiting = await client.vectorStores.files.retrieve(file.id, {
        vector_store_id: store.id,
      });
      expect(waiting).toMatchObject({ status: 'in_progress', last_error: null });
    } finally {
      await s3.resume();
    }
    await expect
      .poll(
        async () =>
          (await client.vectorStores.files.retrieve(file.id, { vector_store_id: store.id })).status,
        { timeout: 30_000, interval: 200 },
      )
      .toBe('completed');
    const results = await client.vectorStores.search(store.id, { query: 'zanzibar' });
    expect(results.data.map((result) => result.file_id)).toEqual([file.id]);
  });
});

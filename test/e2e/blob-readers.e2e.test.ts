/**
 * What reads file bytes during a run or a response, when the blob store lost them or is down: a
 * response's `input_file` answers 404 `file_content_missing` or 503 `storage_unavailable` as the file
 * download does, and a run that needs an image file's bytes fails with the outage's words instead of
 * an internal error. The blob store is the local disk, its reads failing on demand as an unreachable
 * store's do (the S3 outage itself is in blob-store-outage.e2e.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toFile } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDiskBlobStore } from '../../src/blobs/local-disk/local-disk-blob-store.ts';
import { storageUnavailable } from '../../src/blobs/storage-unavailable.ts';
import { expectContentMissing, failure } from '../helpers/api-failure.ts';
import { useRunTestBed } from '../helpers/run-test-bed.ts';

const directory = mkdtempSync(join(tmpdir(), 'concierge-blob-readers-'));
const disk = createLocalDiskBlobStore(directory);
const outage = { now: false };

describe('readers of file bytes when the bytes are lost or the store is down', () => {
  const bed = useRunTestBed({
    overrides: {
      blobs: {
        ...disk,
        get(key) {
          if (outage.now) return Promise.reject(storageUnavailable(new Error('EIO')));
          return disk.get(key);
        },
      },
    },
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const withInputFile = (fileId: string) =>
    bed.client.responses.create({
      model: 'gpt-4o',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What does it say?' },
            { type: 'input_file', file_id: fileId },
          ],
        },
      ],
    });

  it('answers a response whose input_file lost its bytes 404, and one meeting an outage 503', async () => {
    const file = await bed.client.files.create({
      file: await toFile(Buffer.from('The gate code is 4711.'), 'gate.txt'),
      purpose: 'user_data',
    });
    outage.now = true;
    try {
      const unavailable = await failure(withInputFile(file.id));
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers?.get('retry-after')).toBe('5');
      expect(unavailable.error).toMatchObject({ code: 'storage_unavailable' });
    } finally {
      outage.now = false;
    }
    await disk.delete(file.id);
    expectContentMissing(
      await failure(withInputFile(file.id)),
      file.id,
      'input[0].content[1].file_id',
    );
  });

  it('fails a run whose image file cannot be read during an outage with the outage in last_error', async () => {
    const image = await bed.client.files.create({
      // A 1×1 PNG.
      file: await toFile(
        Buffer.from(
          'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
          'base64',
        ),
        'dot.png',
      ),
      purpose: 'vision',
    });
    const assistant = await bed.client.beta.assistants.create({ model: 'local/seeing' });
    const thread = await bed.client.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in the picture?' },
            { type: 'image_file', image_file: { file_id: image.id } },
          ],
        },
      ],
    });
    outage.now = true;
    try {
      const run = await bed.client.beta.threads.runs.createAndPoll(
        thread.id,
        { assistant_id: assistant.id },
        { pollIntervalMs: 50 },
      );
      expect(run.status).toBe('failed');
      expect(run.last_error).toEqual({
        code: 'server_error',
        message: 'The file storage is not reachable right now; please retry the request.',
      });
    } finally {
      outage.now = false;
    }
  });

  it('answers a vector-store file content request 503 during an outage and 404 once the bytes are lost', async () => {
    const file = await bed.client.files.create({
      file: await toFile(Buffer.from('Indexed before the bytes were lost.'), 'indexed.txt'),
      purpose: 'assistants',
    });
    const store = await bed.client.vectorStores.create({ name: 'readers', file_ids: [file.id] });
    await expect
      .poll(
        async () =>
          (await bed.client.vectorStores.files.retrieve(file.id, { vector_store_id: store.id }))
            .status,
        { timeout: 30_000, interval: 100 },
      )
      .toBe('completed');
    const content = () =>
      bed.client.vectorStores.files.content(file.id, { vector_store_id: store.id });
    outage.now = true;
    try {
      const unavailable = await failure(content());
      expect(unavailable.status).toBe(503);
      expect(unavailable.error).toMatchObject({ code: 'storage_unavailable' });
    } finally {
      outage.now = false;
    }
    await disk.delete(file.id);
    expectContentMissing(await failure(content()), file.id, 'file_id');
  });
});

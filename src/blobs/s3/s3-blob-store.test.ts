import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  S3_TEST_CREDENTIALS,
  startS3Server,
  type S3Server,
} from '../../../test/helpers/s3-server.ts';
import { runBlobStoreContract } from '../blob-store.contract.ts';
import { createS3BlobStore, parseS3Url } from './s3-blob-store.ts';

let server: S3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server.stop();
});

function store(prefix: string, partSize?: number) {
  return createS3BlobStore({
    bucket: server.bucket,
    prefix,
    client: {
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: S3_TEST_CREDENTIALS,
    },
    ...(partSize === undefined ? {} : { partSize }),
  });
}

runBlobStoreContract(
  's3 (s3rver on loopback)',
  () => store('contract/blobs'),
  () => server.unfinishedUploads(),
);

describe('s3 blob store', () => {
  it('streams a file larger than one part up as a multipart upload and back, byte for byte', async () => {
    const blobs = store('multipart', 5 * 1024 * 1024);
    const bytes = randomBytes(11 * 1024 * 1024 + 123);
    const parts = Array.from({ length: 12 }, (_, index) =>
      bytes.subarray(index * 1024 * 1024, (index + 1) * 1024 * 1024),
    );
    expect(await blobs.put('file-large', Readable.from(parts))).toEqual({ bytes: bytes.length });
    expect(await blobs.size('file-large')).toBe(bytes.length);
    const hash = createHash('sha256');
    for await (const chunk of (await blobs.get('file-large'))!) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(server.unfinishedUploads()).toEqual([]);
  });

  // Runs after the tests that count unfinished uploads: s3rver cannot abort one, so its parts stay there.
  it('keeps no object when the source fails after the first part went up', async () => {
    const blobs = store('multipart-failed', 5 * 1024 * 1024);
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 6) {
          this.destroy(new Error('client went away'));
          return;
        }
        sent += 1;
        this.push(randomBytes(1024 * 1024));
      },
    });
    await expect(blobs.put('file-cut', failing)).rejects.toThrow('client went away');
    expect(await blobs.get('file-cut')).toBeUndefined();
    const large = new Readable({
      read() {
        this.push(randomBytes(1024 * 1024));
        if (++sent > 20) this.push(null);
      },
    });
    await expect(blobs.put('file-cut', large, { maxBytes: 6 * 1024 * 1024 })).rejects.toThrow(
      'larger than',
    );
    expect(await blobs.get('file-cut')).toBeUndefined();
  });

  it('keeps each prefix to itself', async () => {
    const first = store('tenant-a');
    const second = store('tenant-b');
    await first.put('file-shared', Readable.from([Buffer.from('a')]));
    expect(await second.get('file-shared')).toBeUndefined();
    const keys: string[] = [];
    for await (const key of second.keys()) keys.push(key);
    expect(keys).not.toContain('file-shared');
  });

  it('reads bucket and prefix from an s3:// URL', () => {
    expect(parseS3Url('s3://bucket/some/prefix/')).toEqual({
      bucket: 'bucket',
      prefix: 'some/prefix',
    });
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseS3Url('http://bucket/x')).toThrow(TypeError);
  });
});

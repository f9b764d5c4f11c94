import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  S3_TEST_CREDENTIALS,
  startS3Server,
  type S3Server,
} from '../../../test/helpers/s3-server.ts';
import { UnavailableError } from '../../domain/errors.ts';
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

/** The rejection of an operation on a bucket that cannot serve: 503 `storage_unavailable`. */
async function expectUnavailable(operation: Promise<unknown>) {
  const error = await operation.then(
    () => expect.unreachable('the operation succeeded'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(UnavailableError);
  expect(error).toMatchObject({
    code: 'storage_unavailable',
    type: 'server_error',
    headers: { 'retry-after': '5' },
  });
}

describe('s3 blob store: an endpoint that is down, hung or failing', () => {
  let outage: S3Server;
  beforeAll(async () => {
    outage = await startS3Server();
  });
  afterAll(async () => {
    await outage.stop();
  });

  function storeAt(endpoint: string, bucket = outage.bucket, maxAttempts = 2) {
    return createS3BlobStore({
      bucket,
      prefix: 'outage',
      client: {
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: S3_TEST_CREDENTIALS,
        maxAttempts,
      },
      partSize: 5 * 1024 * 1024,
      timeouts: { connectMs: 300, idleMs: 500, requestMs: 2_000 },
    });
  }

  it('fails every operation as storage_unavailable while the endpoint is down, and serves again after', async () => {
    const blobs = storeAt(outage.endpoint);
    await blobs.put('file-kept', Readable.from([Buffer.from('kept through the outage')]));
    await outage.interrupt();
    try {
      await expectUnavailable(blobs.get('file-kept'));
      await expectUnavailable(blobs.size('file-kept'));
      await expectUnavailable(blobs.delete('file-kept'));
      await expectUnavailable(blobs.put('file-new', Readable.from([Buffer.from('x')])));
      await expectUnavailable(
        (async () => {
          for await (const key of blobs.keys()) expect.unreachable(`listed ${key}`);
        })(),
      );
      // Larger than what the upload buffers: the source is still being read when the bucket fails.
      const large = Readable.from(
        Array.from({ length: 24 }, () => randomBytes(1024 * 1024)),
        { objectMode: false },
      );
      await expectUnavailable(blobs.put('file-large', large));
    } finally {
      await outage.resume();
    }
    expect(await text((await blobs.get('file-kept'))!)).toBe('kept through the outage');
    expect(await blobs.put('file-new', Readable.from([Buffer.from('after')]))).toEqual({
      bytes: 5,
    });
    expect(await blobs.get('file-large')).toBeUndefined();
  });

  it('fails a download from a bucket that is gone, instead of reading the blob as missing', async () => {
    const blobs = storeAt(outage.endpoint, 'no-such-bucket');
    await expect(blobs.get('file-any')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(blobs.get('file-any')).rejects.not.toBeInstanceOf(UnavailableError);
  });

  it('ends a request to an endpoint that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    let connections = 0;
    const hung = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as AddressInfo;
    try {
      const blobs = storeAt(`http://127.0.0.1:${port}`, outage.bucket, 1);
      await expectUnavailable(blobs.get('file-any'));
      await expectUnavailable(blobs.put('file-any', Readable.from([Buffer.from('x')])));
      expect(connections).toBeGreaterThanOrEqual(2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it('retries a 503 SlowDown, then fails as storage_unavailable; a refusal stays what it is', async () => {
    let requests = 0;
    let answer = { status: 503, code: 'SlowDown' };
    const failing = createHttpServer((request, response) => {
      requests += 1;
      request.resume();
      response.writeHead(answer.status, { 'content-type': 'application/xml' });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>no</Message></Error>`,
      );
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const { port } = failing.address() as AddressInfo;
    try {
      const blobs = storeAt(`http://127.0.0.1:${port}`, outage.bucket, 2);
      await expectUnavailable(blobs.get('file-any'));
      expect(requests).toBe(2);
      answer = { status: 500, code: 'InternalError' };
      await expectUnavailable(blobs.put('file-any', Readable.from([Buffer.from('x')])));
      answer = { status: 403, code: 'AccessDenied' };
      await expect(blobs.get('file-any')).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(blobs.get('file-any')).rejects.not.toBeInstanceOf(UnavailableError);
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
  });
});

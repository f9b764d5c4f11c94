/**
 * `CONCIERGE_BLOB_URL=s3://…` with the AWS variables puts a server's file bytes in the bucket: the
 * official SDK uploads, downloads and deletes files, and the objects come and go in S3, none on disk.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3Server } from '../../test/helpers/s3-server.ts';
import { createListeningTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import { loadConfig } from '../config/load-config.ts';
import { openBlobStore } from './blob-storage.ts';

/** An empty config file, so only the given environment counts. */
const configFile = join(mkdtempSync(join(tmpdir(), 'concierge-config-')), 'concierge.config.json');
writeFileSync(configFile, '{}');

describe('file bytes in S3', () => {
  let s3: S3Server;
  let app: TestApp;
  let client: OpenAI;

  beforeAll(async () => {
    s3 = await startS3Server();
    const { CONCIERGE_BLOB_URL, ...aws } = s3.environment('files');
    const started = await createListeningTestApp({
      config: {
        blobUrl: CONCIERGE_BLOB_URL,
        awsEndpointUrlS3: s3.endpoint,
        awsRegion: 'us-east-1',
        awsAccessKeyId: aws['AWS_ACCESS_KEY_ID'],
        awsSecretAccessKey: aws['AWS_SECRET_ACCESS_KEY'],
      },
    });
    app = started.app as TestApp;
    client = new OpenAI({ baseURL: started.baseURL, apiKey: 'x', maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await app?.destroy();
    await s3?.stop();
  });

  it('uploads, downloads and deletes through the SDK with the bytes in the bucket', async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from('stored in a bucket'), 'bucket.txt'),
      purpose: 'assistants',
    });
    const bucket = await openBlobStore(
      loadConfig({ environment: s3.environment('files'), configFile }),
    );
    try {
      expect(await bucket.size(file.id)).toBe(18);
      expect(existsSync(join(app.config.dataDir, 'blobs'))).toBe(false);
      expect(await (await client.files.content(file.id)).text()).toBe('stored in a bucket');
      await client.files.delete(file.id);
      expect(await bucket.size(file.id)).toBeUndefined();
    } finally {
      bucket.close();
    }
  });

  it('refuses to start on a bucket that does not exist, or with an unknown access key, saying why', async () => {
    const environment = s3.environment('files');
    await expect(
      openBlobStore(
        loadConfig({
          environment: { ...environment, CONCIERGE_BLOB_URL: 's3://no-such-bucket/files' },
          configFile,
        }),
      ),
    ).rejects.toThrow(
      /CONCIERGE_BLOB_URL=s3:\/\/no-such-bucket\/files: the bucket 'no-such-bucket' does not exist/,
    );
    await expect(
      openBlobStore(
        loadConfig({ environment: { ...environment, AWS_ACCESS_KEY_ID: 'NOBODY' }, configFile }),
      ),
    ).rejects.toThrow(/access to the bucket 'concierge-test' was refused .*AWS_ACCESS_KEY_ID/);
  });

  it('names the variable of a blob URL that is not s3://', () => {
    expect(() =>
      loadConfig({
        environment: { CONCIERGE_BLOB_URL: 'gs://bucket' },
        configFile,
      }),
    ).toThrow(/CONCIERGE_BLOB_URL/);
  });
});

/**
 * An S3-protocol server (s3rver) on loopback, with its objects in a temporary folder, for the S3 blob
 * adapter's tests and for processes that share blobs through it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface S3Server {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_S3`. */
  endpoint: string;
  bucket: string;
  /** The environment a Concierge process needs to keep its blobs under `s3://<bucket>/<prefix>`. */
  environment(prefix: string): Record<string, string>;
  /**
   * Multipart uploads started and not completed. (s3rver does not implement AbortMultipartUpload, so
   * an aborted upload stays listed here; real S3 and MinIO drop it.)
   */
  unfinishedUploads(): string[];
  /**
   * An outage: closes the port and cuts every open connection, keeping the objects. Requests then
   * meet a refused connection.
   */
  interrupt(): Promise<void>;
  /** The end of the outage: listens again on the same port, with the same objects. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3Server(bucket = 'concierge-test'): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'concierge-s3-'));
  const listen = async (port: number) => {
    const started = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: bucket, configs: [] }],
    });
    return { server: started, port: (await started.run()).port };
  };
  let { server, port } = await listen(0);
  let running = true;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    environment: (prefix) => ({
      CONCIERGE_BLOB_URL: `s3://${bucket}/${prefix}`,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
    }),
    unfinishedUploads() {
      const uploads = join(directory, bucket, '._S3rver_uploads');
      try {
        return readdirSync(uploads);
      } catch {
        return []; // no upload was ever started
      }
    },
    async interrupt() {
      const closing = server.close();
      server.httpServer?.closeAllConnections();
      await closing;
      running = false;
    },
    async resume() {
      ({ server } = await listen(port));
      running = true;
    },
    async stop() {
      if (running) await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

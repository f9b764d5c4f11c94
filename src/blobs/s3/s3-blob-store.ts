/**
 * Blobs as objects of an S3-API bucket (AWS S3, MinIO, R2, Ceph, GCS interop), under `<prefix>/<key>`.
 * Bytes stream both ways: an upload holds at most `queueSize × partSize` in memory, a file larger
 * than one part goes up as a multipart upload, and an upload that fails (too large, the client went
 * away, the bucket refused) is aborted, so no object and no parts are left behind. S3 makes an object
 * visible only once its PUT or multipart upload completes, which gives the port's atomic `put`.
 *
 * Every request has timeouts (`S3_TIMEOUTS`), so an endpoint that hangs fails the request instead of
 * holding it forever. An endpoint that cannot be reached, times out or answers 5xx or 429 once the
 * SDK's own retries are spent fails the operation as `storage_unavailable` (503).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, countingBytes, type BlobStore } from '../blob-store.ts';
import { reportingUnavailable } from '../storage-unavailable.ts';

/**
 * Milliseconds an S3 request may take, each of the SDK's attempts (3 by default) on its own.
 * - `connectMs`: to open the TCP (and TLS) connection.
 * - `idleMs`: with no byte sent or received on the socket, while the request is sent, while its answer
 *   is awaited and while a download streams. It ends a request to an endpoint that accepted the
 *   connection and then went silent.
 * - `requestMs`: from sending a request to the start of its answer (each part of an upload is one
 *   request): a backstop against an endpoint too slow to ever finish.
 */
export const S3_TIMEOUTS = { connectMs: 5_000, idleMs: 30_000, requestMs: 300_000 };

export interface S3BlobStoreOptions {
  bucket: string;
  /** Folder inside the bucket, without leading or trailing `/`; empty for the bucket's root. */
  prefix: string;
  client: S3ClientConfig;
  /** Bytes per part of a multipart upload (S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once. */
  queueSize?: number;
  /** Overrides `S3_TIMEOUTS` (tests use short ones). */
  timeouts?: Partial<typeof S3_TIMEOUTS>;
}

/** What `s3://bucket/prefix` names. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const parsed = new URL(url);
  if (parsed.protocol !== 's3:' || parsed.hostname === '')
    throw new TypeError(`not an s3://bucket/prefix URL: ${url}`);
  return {
    bucket: parsed.hostname,
    prefix: decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, ''),
  };
}

interface S3Failure {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** A missing object; a missing bucket is not one (every blob would read as lost), but a fault. */
function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as S3Failure;
  return name !== 'NoSuchBucket' && (name === 'NoSuchKey' || $metadata?.httpStatusCode === 404);
}

/** Socket errors of an endpoint that is down, restarting, unreachable or not resolvable right now. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** S3's words for "not now" (some S3-compatible stores send them without the matching status). */
const UNAVAILABLE_NAMES = new Set([
  'ServiceUnavailable',
  'SlowDown',
  'InternalError',
  'RequestTimeout',
  'TimeoutError', // the SDK's own, for a connect, idle or request timeout
]);

/** The statuses the SDK retries as passing (a 501 `NotImplemented` is not one: it will not pass). */
const UNAVAILABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Whether `error` says the bucket cannot serve now, rather than refusing the request itself. */
function isUnavailable(error: unknown): boolean {
  const { name, code, $metadata } = error as S3Failure;
  return (
    UNAVAILABLE_STATUSES.has($metadata?.httpStatusCode ?? 0) ||
    UNAVAILABLE_NAMES.has(name ?? '') ||
    NETWORK_CODES.has(code ?? '')
  );
}

/** Whether `error` came from the bucket or the way to it, rather than from the stream being uploaded. */
function isFromS3(error: unknown): boolean {
  return (error as S3Failure).$metadata !== undefined || isUnavailable(error);
}

/** Why a bucket cannot be used, in words an operator acts on; undefined when the error says nothing. */
export function bucketProblem(error: unknown, bucket: string): string {
  const { name, $metadata } = error as S3Failure;
  const status = $metadata?.httpStatusCode;
  if (name === 'NoSuchBucket' || status === 404)
    return `the bucket '${bucket}' does not exist (create it, or fix CONCIERGE_BLOB_URL)`;
  if (
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'AccessDenied' ||
    status === 401 ||
    status === 403
  )
    return `access to the bucket '${bucket}' was refused (${name ?? `HTTP ${status}`}): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's policy (listing and object read, write, delete)`;
  return `the bucket '${bucket}' cannot be reached: ${(error as Error).message || name || String(error)} (check AWS_ENDPOINT_URL_S3 and AWS_REGION)`;
}

export function createS3BlobStore(
  options: S3BlobStoreOptions,
): BlobStore & { close(): void; check(): Promise<void> } {
  const timeouts = { ...S3_TIMEOUTS, ...options.timeouts };
  const client = new S3Client({
    // Checksums only where S3 requires them: S3-compatible stores differ in the newer ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      socketTimeout: timeouts.idleMs,
      requestTimeout: timeouts.requestMs,
      // Without it a request over `requestTimeout` is only logged as a warning.
      throwOnRequestTimeout: true,
    },
    ...options.client,
  });
  const { bucket } = options;
  const folder = options.prefix === '' ? '' : `${options.prefix}/`;
  const objectKey = (key: string) => {
    assertBlobKey(key);
    return `${folder}${key}`;
  };

  return reportingUnavailable(
    {
      /** Lists one key under the prefix: throws `bucketProblem`'s words when the bucket is unusable. */
      async check() {
        try {
          await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, MaxKeys: 1 }),
          );
        } catch (error) {
          throw new Error(bucketProblem(error, bucket), { cause: error });
        }
      },
      async put(key, source, putOptions = {}) {
        const target = objectKey(key);
        const { counter, bytes } = countingBytes(putOptions.maxBytes);
        const body = new PassThrough();
        const upload = new Upload({
          client,
          params: { Bucket: bucket, Key: target, Body: body },
          partSize: options.partSize ?? 8 * 1024 * 1024,
          queueSize: options.queueSize ?? 2,
          leavePartsOnError: false,
        });
        // A failing source destroys `body`, which fails the upload; a failing upload stops the source.
        const piping = pipeline(source, counter, body);
        piping.catch(() => {}); // its error is the upload's, reported below
        try {
          await Promise.all([piping, upload.done()]);
        } catch (error) {
          body.destroy();
          await upload.abort().catch(() => {}); // already aborted when the upload itself failed
          // The bucket's own failure stops the source (whose error is then only a premature close);
          // otherwise the source (the client, the size limit) failed first and the upload with it.
          if (isFromS3(error)) throw error;
          const sourceError = await piping.then(
            () => undefined,
            (failure: unknown) => failure,
          );
          throw sourceError ?? error;
        }
        return { bytes: bytes() };
      },
      async get(key) {
        try {
          const response = await client.send(
            new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }),
          );
          return response.Body as Readable;
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      },
      async delete(key) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
      },
      async size(key) {
        try {
          const head = await client.send(
            new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }),
          );
          return head.ContentLength;
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      },
      async *keys() {
        let token: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }),
          );
          for (const object of page.Contents ?? []) {
            const key = object.Key?.slice(folder.length);
            // Objects in deeper folders belong to someone else sharing the bucket.
            if (key && /^[A-Za-z0-9_-]{1,128}$/.test(key)) yield key;
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      },
      close() {
        client.destroy();
      },
    },
    isUnavailable,
  );
}

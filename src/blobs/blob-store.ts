/**
 * Port: file bytes. Keys are ids this server generated (never user input); a `put` is atomic, so a
 * reader sees the whole blob or none. Adapters: `local-disk/` and `s3/` (any S3-API object store); all
 * pass `blob-store.contract.ts`.
 */
import { Transform, type Readable } from 'node:stream';

/** Thrown by `put` when the stream is longer than `maxBytes`; nothing is kept. */
export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The blob is larger than ${maxBytes} bytes.`);
  }
}

export interface BlobStore {
  /** Streams `source` into the blob `key`, replacing any blob there; resolves to the size written. */
  put(key: string, source: Readable, options?: { maxBytes?: number }): Promise<{ bytes: number }>;
  /** A stream of the blob's bytes, or undefined when there is no such blob. */
  get(key: string): Promise<Readable | undefined>;
  /** Removes the blob; removing a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** The blob's size in bytes, or undefined when there is no such blob. */
  size(key: string): Promise<number | undefined>;
  /**
   * Every stored key, in no set order, for backups and the sweep of blobs no row refers to. A blob
   * put or deleted while the listing runs may or may not appear.
   */
  keys(): AsyncIterable<string>;
}

/** Keys are our own ids: letters, digits, `_` and `-`. Anything else is a programming error. */
export function assertBlobKey(key: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(key))
    throw new TypeError(`Invalid blob key: ${JSON.stringify(key).slice(0, 80)}`);
}

/**
 * A pass-through that counts the bytes of a `put` and fails with `BlobTooLargeError` past `maxBytes`;
 * `bytes` is the count so far, the size written once the stream ended.
 */
export function countingBytes(maxBytes = Number.POSITIVE_INFINITY) {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new BlobTooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
  return { counter, bytes: () => bytes };
}

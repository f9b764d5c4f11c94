/**
 * The error a blob operation fails with when the blob store cannot serve it right now (an S3 endpoint
 * that refuses, resets or times out, or still answers 5xx once the SDK's retries are spent; a disk
 * that is full or failing): a 503 that tells the client to retry, in the same words for every adapter,
 * instead of a 500. Each adapter says which of its errors mean this; a missing blob is not one of them
 * (`get` and `size` answer undefined for it).
 */
import { UnavailableError } from '../domain/errors.ts';
import type { BlobStore } from './blob-store.ts';

/**
 * A 503 `storage_unavailable` with `Retry-After: 5` (a bucket or a disk takes longer to come back than
 * a database connection); the adapter's error stays as its cause.
 */
export const storageUnavailable = (cause: unknown): UnavailableError =>
  UnavailableError.retryLater(
    'The file storage is not reachable right now; please retry the request.',
    'storage_unavailable',
    5,
    cause,
  );

/**
 * `store` with every error `isUnavailable` recognises turned into `storageUnavailable`; other errors
 * (a blob over its size limit, a source stream that failed, a refused credential) pass unchanged.
 */
export function reportingUnavailable<Store extends BlobStore>(
  store: Store,
  isUnavailable: (error: unknown) => boolean,
): Store {
  const translate = (error: unknown) => (isUnavailable(error) ? storageUnavailable(error) : error);
  const guarded =
    <Arguments extends unknown[], Result>(method: (...args: Arguments) => Promise<Result>) =>
    async (...args: Arguments): Promise<Result> => {
      try {
        return await method(...args);
      } catch (error) {
        throw translate(error);
      }
    };
  return {
    ...store,
    put: guarded(store.put),
    get: guarded(store.get),
    delete: guarded(store.delete),
    size: guarded(store.size),
    async *keys() {
      try {
        yield* store.keys();
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

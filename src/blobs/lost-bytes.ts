/**
 * What the services say and do about bytes that are not there: a blob the store lost (a row whose
 * bytes are gone) answers the same 404 `file_content_missing` for a file and a container file, and the
 * bytes of a row already gone are deleted without letting a blob-store outage undo the deletion.
 */
import { NotFoundError, UnavailableError } from '../domain/errors.ts';
import type { BlobStore } from './blob-store.ts';

/**
 * The 404 for a stored object whose bytes the blob store lost (emptied, or restored without the
 * blobs): `what` names the object (`file`, `container file`), `param` the request field that named it.
 */
export const contentMissing = (what: string, id: string, param: string): NotFoundError =>
  new NotFoundError(
    `The content of ${what} '${id}' is missing from storage; delete the ${what} and upload it again.`,
    param,
    'file_content_missing',
  );

/**
 * Deletes the bytes of an object whose row is gone. A blob store that is unavailable does not undo the
 * deletion: the janitor's blob sweep deletes the orphaned blob once the store is back.
 */
export async function discardBytes(blobs: BlobStore, key: string): Promise<void> {
  await blobs.delete(key).catch((error: unknown) => {
    if (!(error instanceof UnavailableError)) throw error;
  });
}

/** After a failed upload: its error is the answer, and a blob left behind is swept by the janitor. */
export async function abandonBytes(blobs: BlobStore, key: string): Promise<void> {
  await blobs.delete(key).catch(() => {});
}

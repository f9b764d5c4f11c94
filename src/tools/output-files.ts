/** Files a tool or agent produces for the user: stored as `assistants_output` files, downloadable like any other. */
import { Readable } from 'node:stream';
import type { BlobStore } from '../blobs/blob-store.ts';
import { nowSeconds } from '../domain/clock.ts';
import type { FileObject } from '../domain/file.ts';
import { newId } from '../domain/ids.ts';
import type { Store } from '../storage/store.ts';

export async function saveOutputFile(
  store: Store,
  blobs: BlobStore,
  projectId: string,
  name: string,
  bytes: Uint8Array,
  mimeType: string,
): Promise<FileObject> {
  const file: FileObject = {
    id: newId('file'),
    object: 'file',
    bytes: bytes.byteLength,
    created_at: nowSeconds(),
    filename: name.split('/').pop() ?? name,
    purpose: 'assistants_output',
    status: 'processed',
    expires_at: null,
    status_details: null,
  };
  await blobs.put(file.id, Readable.from([Buffer.from(bytes)]));
  await store.files.insert(projectId, file, mimeType);
  return file;
}

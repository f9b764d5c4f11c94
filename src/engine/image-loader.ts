/** Reads an image file for a model request: a stored file whose media type is an image, up to 20 MB. */
import { nowSeconds } from '../domain/clock.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Store } from '../storage/store.ts';
import type { ImageLoader } from './build-model-request.ts';

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export function createImageLoader(store: Store, blobs: BlobStore): ImageLoader {
  return async (projectId, fileId) => {
    const stored = await store.files.find(projectId, fileId, nowSeconds());
    if (!stored || !stored.contentType.startsWith('image/') || stored.file.bytes > MAX_IMAGE_BYTES)
      return undefined;
    const stream = await blobs.get(fileId);
    if (!stream) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks), mediaType: stored.contentType };
  };
}

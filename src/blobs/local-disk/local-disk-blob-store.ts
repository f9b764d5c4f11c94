/**
 * Blobs as files under `<dataDir>/blobs/<2 hex>/<key>`. Writes go to `blobs/tmp/` first, are flushed,
 * then renamed into place, so a crash never leaves a partial blob under its key. A disk that is full,
 * failing or out of file descriptors fails an operation as `storage_unavailable` (503).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, countingBytes, type BlobStore } from '../blob-store.ts';
import { reportingUnavailable } from '../storage-unavailable.ts';

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * A disk that cannot take or give bytes right now: full or over quota (the janitor, an operator or a
 * deletion frees room), failing I/O, or out of file descriptors (this process's or the system's).
 */
const UNAVAILABLE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE']);

function diskUnavailable(error: unknown): boolean {
  return UNAVAILABLE_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

export function createLocalDiskBlobStore(dataDir: string): BlobStore {
  const root = join(dataDir, 'blobs');
  const temporary = join(root, 'tmp');
  const pathOf = (key: string) => {
    assertBlobKey(key);
    return join(root, createHash('sha256').update(key).digest('hex').slice(0, 2), key);
  };

  return reportingUnavailable<BlobStore>(
    {
      async put(key, source, options = {}) {
        const target = pathOf(key);
        await mkdir(temporary, { recursive: true });
        await mkdir(join(target, '..'), { recursive: true });
        const temporaryPath = join(temporary, `${key}.${randomBytes(6).toString('hex')}`);
        const { counter, bytes } = countingBytes(options.maxBytes);
        try {
          await pipeline(source, counter, createWriteStream(temporaryPath, { flags: 'wx' }));
          const handle = await open(temporaryPath, 'r+');
          try {
            await handle.datasync();
          } finally {
            await handle.close();
          }
          await rename(temporaryPath, target);
        } catch (error) {
          await rm(temporaryPath, { force: true });
          throw error;
        }
        return { bytes: bytes() };
      },
      async get(key) {
        // Opened here, so a missing file or a failing disk is known before any byte is answered.
        const path = pathOf(key);
        try {
          return (await open(path, 'r')).createReadStream() as Readable;
        } catch (error) {
          if (missing(error)) return undefined;
          throw error;
        }
      },
      async delete(key) {
        await rm(pathOf(key), { force: true });
      },
      async size(key) {
        try {
          return (await stat(pathOf(key))).size;
        } catch (error) {
          if (missing(error)) return undefined;
          throw error;
        }
      },
      async *keys() {
        const shards = await readdir(root).catch((error: unknown) => {
          if (missing(error)) return [];
          throw error;
        });
        for (const shard of shards) {
          if (!/^[0-9a-f]{2}$/.test(shard)) continue; // `tmp/` holds unfinished writes
          const names = await readdir(join(root, shard)).catch((error: unknown) => {
            if (missing(error)) return [];
            throw error;
          });
          yield* names;
        }
      },
    },
    diskUnavailable,
  );
}

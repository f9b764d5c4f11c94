import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../domain/errors.ts';
import { runBlobStoreContract } from '../blob-store.contract.ts';
import { createLocalDiskBlobStore } from './local-disk-blob-store.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'concierge-blobs-'));

runBlobStoreContract(
  'local disk',
  () => createLocalDiskBlobStore(dataDir),
  () => {
    const temporary = join(dataDir, 'blobs', 'tmp');
    return existsSync(temporary) ? readdirSync(temporary) : [];
  },
);

/** This process's limit on open files, where Linux says it; undefined elsewhere or when unlimited. */
function openFileLimit(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  return limit === undefined ? undefined : Number(limit);
}

/** Opens `/dev/null` until the process has no file descriptor left; returns them to close. */
function takeEveryFileDescriptor(): number[] {
  const taken: number[] = [];
  try {
    for (;;) taken.push(openSync('/dev/null', 'r'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EMFILE') throw error;
  }
  return taken;
}

// Filling the descriptor table takes as many opens as the limit allows: only where it is modest.
const limit = openFileLimit();
describe.runIf(limit !== undefined && limit <= 100_000)(
  'local disk out of file descriptors',
  () => {
    it('fails uploads and downloads as storage_unavailable, and serves again once descriptors are free', async () => {
      const blobs = createLocalDiskBlobStore(dataDir);
      await blobs.put('file-kept', Readable.from([Buffer.from('kept')]));
      const taken = takeEveryFileDescriptor();
      let failures: unknown[];
      try {
        failures = await Promise.all([
          blobs.put('file-new', Readable.from([Buffer.from('new')])).catch((error) => error),
          blobs.get('file-kept').catch((error) => error),
        ]);
      } finally {
        for (const descriptor of taken) closeSync(descriptor);
      }
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(UnavailableError);
        expect(failure).toMatchObject({
          code: 'storage_unavailable',
          headers: { 'retry-after': '5' },
          cause: { code: 'EMFILE' },
        });
      }
      expect(await blobs.get('file-new')).toBeUndefined();
      expect(readdirSync(join(dataDir, 'blobs', 'tmp'))).toEqual([]);
      expect(await text((await blobs.get('file-kept'))!)).toBe('kept');
    });
  },
);

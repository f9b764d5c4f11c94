import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from '../store.contract.ts';
import { createSqliteStore } from './sqlite-store.ts';

const directory = mkdtempSync(join(tmpdir(), 'concierge-sqlite-'));

runStoreContract('sqlite (file, WAL)', {
  async create() {
    const store = createSqliteStore(join(directory, 'contract.db'));
    await store.migrate();
    return store;
  },
  async destroy() {
    rmSync(directory, { recursive: true, force: true });
  },
});

/**
 * The contract for the stored-bytes meter (migration 0017): every change to the bytes a project
 * stores (files, container files, the parsed size of vector store files) is metered in the statement
 * that makes it, cascades included, and rolls back with it; the limits check counts the same bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../domain/ids.ts';
import { inProgressFile, vectorStoreRecord } from '../../test/helpers/vector-store-fixtures.ts';
import { storeWithProject, type StoreFactory } from './store.contract.ts';
import type { Store } from './store.ts';

const NOW = 1_800_000_000;
const LATER = 4_000_000_000;

const file = (bytes: number) => ({
  id: newId('file'),
  object: 'file' as const,
  bytes,
  created_at: NOW,
  filename: 'a.txt',
  purpose: 'assistants' as const,
  status: 'processed' as const,
  expires_at: null,
  status_details: null,
});

export function runStoredBytesContract(name: string, factory: StoreFactory): void {
  describe(`stored bytes meter: ${name}`, () => {
    let store: Store;
    const project = 'proj_bytes';
    const key = 'key_bytes';

    /** The meter's level and the limits check's count, which must agree. */
    async function stored() {
      const totals = await store.usage.meterTotals('stored_bytes', LATER, [project]);
      const meter = totals.reduce((sum, total) => sum + total.amount, 0);
      return { meter, counted: await store.limits.storedBytes(project) };
    }
    const opened = storeWithProject(factory, project);
    beforeAll(() => {
      store = opened();
    });

    it('meters files with their key, and nothing of a transaction that rolls back', async () => {
      const kept = file(100);
      await store.files.insert(project, kept, 'text/plain', key);
      expect(await stored()).toEqual({ meter: 100, counted: 100 });
      expect(await store.limits.storedBytes(project, key)).toBe(100);
      const rows = await store.usage.listMeter({
        meter: 'stored_bytes',
        startTime: 0,
        endTime: LATER,
        projectIds: [project],
      });
      expect(rows.map((row) => [row.apiKeyId, row.amount])).toEqual([[key, 100]]);

      const failed = store.transaction(async (transaction) => {
        await transaction.files.insert(project, file(50), 'text/plain', null);
        throw new Error('crash after the insert');
      });
      await expect(failed).rejects.toThrow('crash after the insert');
      expect(await stored()).toEqual({ meter: 100, counted: 100 });
    });

    it('meters container files (replaced, deleted with their container) and the parsed size of vector store files', async () => {
      const container = {
        id: newId('container'),
        object: 'container' as const,
        name: 'c',
        created_at: NOW,
        status: 'running' as const,
        last_active_at: NOW,
        expires_after: { anchor: 'last_active_at' as const, minutes: 20 },
        memory_limit: '1g' as const,
        network_policy: { type: 'disabled' as const },
      };
      await store.containers.insert(project, container);
      const containerFile = (bytes: number) => ({
        id: newId('containerFile'),
        object: 'container.file' as const,
        container_id: container.id,
        created_at: NOW,
        bytes,
        path: '/mnt/data/out.csv',
        source: 'assistant' as const,
      });
      await store.containerFiles.put(project, containerFile(30));
      expect(await stored()).toEqual({ meter: 130, counted: 130 });
      // Rewriting the path replaces the file: only the new bytes stay.
      await store.containerFiles.put(project, containerFile(20));
      expect(await stored()).toEqual({ meter: 120, counted: 120 });

      const vectorStoreId = newId('vectorStore');
      await store.vectorStores.insert(project, vectorStoreRecord(vectorStoreId, NOW));
      const fileId = newId('file');
      await store.vectorStoreFiles.upsert(
        project,
        inProgressFile(fileId, vectorStoreId, NOW),
        null,
      );
      expect(await stored()).toEqual({ meter: 120, counted: 120 });
      // Indexed: its chunks and embeddings count, in the transaction that stores them.
      const job = await store.ingestionQueue.claimNext('worker', Date.now(), Date.now() + 60_000);
      expect(job?.fileId).toBe(fileId);
      await store.transaction((transaction) =>
        transaction.ingestionQueue.complete(job!, 'worker', 45),
      );
      expect(await stored()).toEqual({ meter: 165, counted: 165 });

      // Cascades: a container's files go with it, a vector store's files with the store.
      await store.containers.delete(project, container.id);
      expect(await stored()).toEqual({ meter: 145, counted: 145 });
      await store.vectorStores.delete(project, vectorStoreId);
      expect(await stored()).toEqual({ meter: 100, counted: 100 });
    });
  });
}

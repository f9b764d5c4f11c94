/**
 * The contract for files, vector stores, the ingestion queue and chunk search. Both adapters' test
 * files call `runFilesContract`, so SQLite (FTS5, sqlite-vec) and Postgres (tsvector, pgvector or
 * plain SQL) prove the same behaviour.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileObject } from '../domain/file.ts';
import { newId } from '../domain/ids.ts';
import {
  AUTO_CHUNKING,
  type VectorStoreFile,
  type VectorStoreRecord,
} from '../domain/vector-store.ts';
import { storeWithProject, type StoreFactory } from './store.contract.ts';
import type { Store } from './store.ts';

const NOW = 1_800_000_000;

function file(overrides: Partial<FileObject> = {}): FileObject {
  return {
    id: newId('file'),
    object: 'file',
    bytes: 10,
    created_at: NOW,
    filename: 'notes.txt',
    purpose: 'assistants',
    status: 'processed',
    expires_at: null,
    status_details: null,
    ...overrides,
  };
}

function vectorStore(overrides: Partial<VectorStoreRecord> = {}): VectorStoreRecord {
  return {
    id: newId('vectorStore'),
    created_at: NOW,
    name: 'docs',
    description: null,
    metadata: {},
    expires_after: null,
    last_active_at: NOW,
    ...overrides,
  };
}

/**
 * Claims jobs for `owner` at `now` until `fileId`'s comes up (other tests' jobs may be claimable too);
 * undefined when it is not claimable.
 */
async function claimFile(store: Store, fileId: string, owner: string, now: number) {
  for (let tries = 0; tries < 100; tries++) {
    const job = await store.ingestionQueue.claimNext(owner, now, now + 1000);
    if (!job || job.fileId === fileId) return job;
  }
  return undefined;
}

function storeFile(
  vectorStoreId: string,
  fileId: string,
  overrides: Partial<VectorStoreFile> = {},
): VectorStoreFile {
  return {
    id: fileId,
    object: 'vector_store.file',
    usage_bytes: 0,
    created_at: NOW,
    vector_store_id: vectorStoreId,
    status: 'in_progress',
    last_error: null,
    chunking_strategy: AUTO_CHUNKING,
    attributes: {},
    ...overrides,
  };
}

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return new Float32Array(values.map((value) => value / norm));
}

/** `vectorBackend`: the vector search path this adapter must take (e.g. pgvector where it is installed). */
export function runFilesContract(
  name: string,
  factory: StoreFactory,
  expected: { vectorBackend?: 'sqlite-vec' | 'pgvector' | 'plain-sql' } = {},
): void {
  describe(`files contract: ${name}`, () => {
    let store: Store;
    const project = 'proj_files';
    const opened = storeWithProject(factory, project);
    beforeAll(() => {
      store = opened();
    });
    /**
     * A vector search through the vectors held in memory and through SQL (a search inside a
     * transaction takes the SQL path): both must find the same chunks in the same order.
     */
    async function vectorSearch(...args: Parameters<Store['chunks']['vectorSearch']>) {
      const held = await store.chunks.vectorSearch(...args);
      const direct = await store.transaction((transaction) =>
        transaction.chunks.vectorSearch(...args),
      );
      expect(held.map(({ score: _, ...hit }) => hit)).toEqual(
        direct.map(({ score: _, ...hit }) => hit),
      );
      held.forEach((hit, index) => expect(hit.score).toBeCloseTo(direct[index]!.score, 5));
      return held;
    }

    it('stores files, filters by purpose, and hides expired ones until they are swept', async () => {
      const kept = file({ purpose: 'vision', filename: 'Ünïcødé café.png' });
      const expired = file({ expires_at: NOW - 1 });
      await store.files.insert(project, kept, 'image/png');
      await store.files.insert(project, expired, 'text/plain');
      expect(await store.files.find(project, kept.id, NOW)).toEqual({
        file: kept,
        contentType: 'image/png',
      });
      expect(await store.files.find('proj_other', kept.id, NOW)).toBeUndefined();
      expect(await store.files.find(project, expired.id, NOW)).toBeUndefined();
      expect(
        await store.files.existing(project, [kept.id, expired.id, 'file-missing'], NOW),
      ).toEqual(new Set([kept.id]));
      const vision = await store.files.list(
        project,
        { limit: 100, order: 'desc' },
        { purpose: 'vision' },
        NOW,
      );
      expect(vision.data.map((item) => item.id)).toEqual([kept.id]);
      expect(await store.files.listExpired(NOW, 10)).toEqual([
        { projectId: project, id: expired.id },
      ]);
      expect(await store.files.delete(project, expired.id)).toBe(true);
      expect(await store.files.listExpired(NOW, 10)).toEqual([]);
    });

    it('derives file counts, usage and status of a vector store from its files', async () => {
      const record = vectorStore({ expires_after: { anchor: 'last_active_at', days: 1 } });
      await store.vectorStores.insert(project, record);
      const [a, b, c] = [newId('file'), newId('file'), newId('file')];
      await store.vectorStoreFiles.upsert(project, storeFile(record.id, a), null);
      await store.vectorStoreFiles.upsert(
        project,
        storeFile(record.id, b, { status: 'completed', usage_bytes: 100 }),
        null,
      );
      await store.vectorStoreFiles.upsert(
        project,
        storeFile(record.id, c, {
          status: 'failed',
          last_error: { code: 'invalid_file', message: 'bad' },
        }),
        null,
      );
      const found = await store.vectorStores.find(project, record.id, NOW);
      expect(found).toMatchObject({
        status: 'in_progress',
        usage_bytes: 100,
        file_counts: { in_progress: 1, completed: 1, failed: 1, cancelled: 0, total: 3 },
        expires_after: { anchor: 'last_active_at', days: 1 },
        expires_at: NOW + 86_400,
      });
      expect((await store.vectorStores.find(project, record.id, NOW + 86_400))?.status).toBe(
        'expired',
      );
      await store.vectorStoreFiles.delete(project, record.id, a);
      expect((await store.vectorStores.find(project, record.id, NOW))?.status).toBe('completed');
      expect((await store.vectorStoreFiles.find(project, record.id, c))?.last_error).toEqual({
        code: 'invalid_file',
        message: 'bad',
      });
      const listed = await store.vectorStores.list(project, { limit: 10, order: 'desc' }, NOW);
      expect(listed.data.find((item) => item.id === record.id)?.file_counts.total).toBe(2);
    });

    it('lists store files by status and batch, cancels a batch, and removes a file everywhere', async () => {
      const first = vectorStore();
      const second = vectorStore();
      await store.vectorStores.insert(project, first);
      await store.vectorStores.insert(project, second);
      const batch = {
        id: newId('fileBatch'),
        vector_store_id: first.id,
        created_at: NOW,
        cancelled_at: null,
      };
      await store.fileBatches.insert(project, batch);
      const [a, b, shared] = [newId('file'), newId('file'), newId('file')];
      await store.vectorStoreFiles.upsert(project, storeFile(first.id, a), batch.id);
      await store.vectorStoreFiles.upsert(
        project,
        storeFile(first.id, b, { status: 'completed' }),
        batch.id,
      );
      await store.vectorStoreFiles.upsert(
        project,
        storeFile(first.id, shared, { attributes: { team: 'ops', year: 2024 } }),
        null,
      );
      await store.vectorStoreFiles.upsert(project, storeFile(second.id, shared), null);

      const inBatch = await store.vectorStoreFiles.list(
        project,
        first.id,
        { limit: 10, order: 'asc' },
        { batchId: batch.id },
      );
      expect(inBatch.data.map((item) => item.id)).toEqual([a, b]);
      const completed = await store.vectorStoreFiles.list(
        project,
        first.id,
        { limit: 10, order: 'asc' },
        { status: 'completed' },
      );
      expect(completed.data.map((item) => item.id)).toEqual([b]);
      expect(await store.vectorStoreFiles.cancelInProgress(project, batch.id)).toBe(1);
      expect(await store.vectorStoreFiles.counts(project, { batchId: batch.id })).toEqual({
        in_progress: 0,
        completed: 1,
        failed: 0,
        cancelled: 1,
        total: 2,
      });
      await store.fileBatches.markCancelled(project, batch.id, NOW + 5);
      expect((await store.fileBatches.find(project, first.id, batch.id))?.cancelled_at).toBe(
        NOW + 5,
      );

      expect(
        await store.vectorStoreFiles.updateAttributes(project, first.id, shared, { team: 'dev' }),
      ).toBe(true);
      expect((await store.vectorStoreFiles.find(project, first.id, shared))?.attributes).toEqual({
        team: 'dev',
      });
      expect(await store.vectorStoreFiles.deleteEverywhere(project, shared)).toBe(2);
      expect(await store.vectorStoreFiles.find(project, second.id, shared)).toBeUndefined();
      expect(await store.vectorStoreFiles.completedAttributes(project, [first.id])).toEqual([
        { vectorStoreId: first.id, fileId: b, attributes: {} },
      ]);
    });

    it('gives each ingestion job to one worker, takes over lapsed leases, and ignores stale owners', async () => {
      const record = vectorStore();
      await store.vectorStores.insert(project, record);
      const ids = [newId('file'), newId('file'), newId('file')];
      for (const id of ids)
        await store.vectorStoreFiles.upsert(project, storeFile(record.id, id), null);
      const now = Date.now() + 10_000_000;
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          store.ingestionQueue.claimNext(`worker-${index}`, now, now + 1000),
        ),
      );
      const claimed = claims.filter((job) => job !== undefined && job.vectorStoreId === record.id);
      expect(new Set(claimed.map((job) => job!.fileId))).toEqual(new Set(ids));
      expect(claimed).toHaveLength(3);
      expect(claimed[0]).toMatchObject({
        projectId: project,
        chunkingStrategy: AUTO_CHUNKING,
        attempts: 1,
      });

      // The leases lapse: another worker takes a job over, and its first owner can no longer finish it.
      const taken = (await store.ingestionQueue.claimNext('worker-new', now + 2000, now + 3000))!;
      expect(taken.attempts).toBe(2);
      const firstOwner = `worker-${claims.findIndex((job) => job?.fileId === taken.fileId)}`;
      expect(await store.ingestionQueue.renewLease(taken, firstOwner, now + 5000)).toBe(false);
      expect(await store.ingestionQueue.complete(taken, firstOwner, 1)).toBe(false);
      expect(await store.ingestionQueue.renewLease(taken, 'worker-new', now + 5000)).toBe(true);
      expect(await store.ingestionQueue.complete(taken, 'worker-new', 42)).toBe(true);
      expect(await store.vectorStoreFiles.find(project, record.id, taken.fileId)).toMatchObject({
        status: 'completed',
        usage_bytes: 42,
      });
      expect(
        await store.ingestionQueue.fail(taken, 'worker-new', {
          code: 'server_error',
          message: 'late',
        }),
      ).toBe(false);
    });

    it('counts every claim of a job in the claim itself, lapsed leases included, but not one given back', async () => {
      const record = vectorStore();
      await store.vectorStores.insert(project, record);
      const fileId = newId('file');
      await store.vectorStoreFiles.upsert(project, storeFile(record.id, fileId), null);
      const claimThisFile = (owner: string, now: number) => claimFile(store, fileId, owner, now);
      const start = Date.now() + 20_000_000;
      // Three workers die mid-parse in turn: each claim is counted although none finished.
      const attempts: number[] = [];
      for (let crash = 0; crash < 3; crash++) {
        const job = await claimThisFile(`crashing-${crash}`, start + crash * 2000);
        attempts.push(job!.attempts);
      }
      expect(attempts).toEqual([1, 2, 3]);
      const fourth = (await claimThisFile('stopping', start + 6000))!;
      expect(fourth.attempts).toBe(4);
      // A worker shutting down gives its claim back: the next claim, at once, is still the fourth.
      await store.ingestionQueue.release(fourth, 'stopping');
      const next = (await claimThisFile('last', start + 6001))!;
      expect(next.attempts).toBe(4);
      expect(
        await store.ingestionQueue.fail(next, 'last', { code: 'server_error', message: 'gave up' }),
      ).toBe(true);
      expect(await store.vectorStoreFiles.find(project, record.id, fileId)).toMatchObject({
        status: 'failed',
        last_error: { code: 'server_error', message: 'gave up' },
      });
    });

    it('postpones a job: nobody claims it before the time given, anyone after, and the claim is not counted', async () => {
      const record = vectorStore();
      await store.vectorStores.insert(project, record);
      const fileId = newId('file');
      const added = storeFile(record.id, fileId);
      await store.vectorStoreFiles.upsert(project, added, null);
      const claimThisFile = (owner: string, now: number) => claimFile(store, fileId, owner, now);
      const start = Date.now() + 30_000_000;
      const job = (await claimThisFile('outage', start))!;
      expect(job).toMatchObject({ attempts: 1, addedAt: added.created_at });
      expect(await store.ingestionQueue.postpone(job, 'outage', start + 5000)).toBe(true);
      // Its owner no longer holds it, so it cannot postpone or finish it again.
      expect(await store.ingestionQueue.postpone(job, 'outage', start + 9000)).toBe(false);
      expect(await store.ingestionQueue.complete(job, 'outage', 1)).toBe(false);
      expect(await claimThisFile('early', start + 4000)).toBeUndefined();
      const later = (await claimThisFile('later', start + 5001))!;
      expect(later.attempts).toBe(1);
      expect(await store.ingestionQueue.complete(later, 'later', 7)).toBe(true);
      expect(await store.vectorStoreFiles.find(project, record.id, fileId)).toMatchObject({
        status: 'completed',
        usage_bytes: 7,
      });
    });

    it('scores a chunk of several windows by its best window, once per chunk', async () => {
      const record = vectorStore();
      await store.vectorStores.insert(project, record);
      const [long, short] = [newId('file'), newId('file')];
      await store.vectorStoreFiles.upsert(project, storeFile(record.id, long), null);
      await store.vectorStoreFiles.upsert(project, storeFile(record.id, short), null);
      await store.chunks.replaceForFile(
        record.id,
        long,
        [
          {
            text: 'A long chunk whose last window is about the question.',
            embeddings: [unit([1, 0, 0]), unit([0, 1, 0]), unit([0.1, 0, 1])],
          },
        ],
        'test-model',
      );
      await store.chunks.replaceForFile(
        record.id,
        short,
        [{ text: 'A short chunk near the question.', embeddings: [unit([0.5, 0, 1])] }],
        'test-model',
      );
      const nearest = await vectorSearch(
        { vectorStoreIds: [record.id] },
        unit([0, 0, 1]),
        'test-model',
        5,
      );
      expect(nearest.map((hit) => hit.fileId)).toEqual([long, short]);
      expect(nearest[0]!.score).toBeCloseTo(unit([0.1, 0, 1])[2]!, 5);
    });

    it('searches chunks by keyword (stemmed) and by vector, within the given scope', async () => {
      const record = vectorStore();
      await store.vectorStores.insert(project, record);
      const [refunds, shipping] = [newId('file'), newId('file')];
      await store.vectorStoreFiles.upsert(project, storeFile(record.id, refunds), null);
      await store.vectorStoreFiles.upsert(project, storeFile(record.id, shipping), null);
      await store.chunks.replaceForFile(
        record.id,
        refunds,
        [
          {
            text: 'Customers are refunded within 30 days of purchase.',
            embeddings: [unit([1, 0, 0])],
          },
          { text: 'Refund requests need the original receipt.', embeddings: [unit([0.9, 0.1, 0])] },
        ],
        'test-model',
      );
      await store.chunks.replaceForFile(
        record.id,
        shipping,
        [{ text: 'Shipping takes five business days.', embeddings: [unit([0, 0, 1])] }],
        'test-model',
      );

      const keyword = await store.chunks.keywordSearch(
        { vectorStoreIds: [record.id] },
        'how do refunds work?',
        10,
      );
      expect(keyword.map((hit) => hit.fileId)).toEqual([refunds, refunds]);
      expect(keyword.map((hit) => hit.chunkIndex).sort()).toEqual([0, 1]);
      expect(
        await store.chunks.keywordSearch(
          { vectorStoreIds: [record.id], fileIds: [shipping] },
          'refund',
          10,
        ),
      ).toEqual([]);
      expect(
        await store.chunks.keywordSearch(
          { vectorStoreIds: [record.id] },
          '"); drop table chunks; --',
          10,
        ),
      ).toEqual([]);

      const nearest = await vectorSearch(
        { vectorStoreIds: [record.id] },
        unit([0, 0.1, 1]),
        'test-model',
        2,
      );
      expect(nearest.map((hit) => hit.text)).toEqual([
        'Shipping takes five business days.',
        'Refund requests need the original receipt.',
      ]);
      expect(
        await vectorSearch({ vectorStoreIds: [record.id] }, unit([1, 0, 0]), 'other-model', 5),
      ).toEqual([]);
      // Same model name, other dimensions (a reconfigured model): those embeddings are not comparable.
      expect(
        await vectorSearch({ vectorStoreIds: [record.id] }, unit([1, 0, 0, 0]), 'test-model', 5),
      ).toEqual([]);

      // Re-adding a file (twice at once, here) drops its chunks and leaves one row; deleting the store drops everything.
      await Promise.all([
        store.vectorStoreFiles.upsert(project, storeFile(record.id, refunds), null),
        store.vectorStoreFiles.upsert(
          project,
          storeFile(record.id, refunds, { attributes: { again: true } }),
          null,
        ),
      ]);
      expect(
        (
          await store.vectorStoreFiles.list(project, record.id, { limit: 10, order: 'asc' }, {})
        ).data.filter((item) => item.id === refunds),
      ).toHaveLength(1);
      expect(
        await store.chunks.keywordSearch({ vectorStoreIds: [record.id] }, 'refund', 10),
      ).toEqual([]);
      expect(await store.vectorStores.delete(project, record.id)).toBe(true);
      expect(
        await store.chunks.keywordSearch({ vectorStoreIds: [record.id] }, 'shipping', 10),
      ).toEqual([]);
      expect(
        await vectorSearch({ vectorStoreIds: [record.id] }, unit([0, 0, 1]), 'test-model', 5),
      ).toEqual([]);
      const backend = await store.chunks.vectorBackend();
      expect(['sqlite-vec', 'pgvector', 'plain-sql']).toContain(backend);
      expect(backend).toBe(expected.vectorBackend ?? backend);
    });

    it('caches embeddings by model and content hash', async () => {
      const vector = unit([1, 2, 3]);
      await store.embeddingCache.putMany('m1', [
        { contentHash: 'h1', embedding: vector },
        { contentHash: 'h1', embedding: vector },
      ]);
      const found = await store.embeddingCache.getMany('m1', ['h1', 'h2']);
      expect([...found.keys()]).toEqual(['h1']);
      expect(Array.from(found.get('h1')!)).toEqual(Array.from(vector));
      expect((await store.embeddingCache.getMany('m2', ['h1'])).size).toBe(0);
    });
  });
}

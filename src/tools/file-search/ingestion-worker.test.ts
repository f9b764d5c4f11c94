/**
 * Durability of ingestion: a worker killed mid-way (SIGKILL of a real process) or stopped loses
 * nothing, leaves nothing stuck in progress, and no file is indexed twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestEmbeddingServer,
  TEST_EMBEDDING_MODEL,
  type TestEmbeddingServer,
} from '../../../test/helpers/embedding-server.ts';
import { waitFor } from '../../../test/helpers/wait-for.ts';
import { createLocalDiskBlobStore } from '../../blobs/local-disk/local-disk-blob-store.ts';
import { newId } from '../../domain/ids.ts';
import { inProgressFile } from '../../../test/helpers/vector-store-fixtures.ts';
import { createOpenAIEmbeddingModel } from '../../models/openai-embeddings/openai-embedding-model.ts';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../storage/store.ts';
import { ConfigSchema } from '../../config/config-schema.ts';
import { createCachedEmbedder } from './cached-embedder.ts';
import { createDocumentParser, documentParserOptions } from './document-parser.ts';
import { createIngestionWorker, type IngestionWorkerOptions } from './ingestion-worker.ts';
import type { BlobStore } from '../../blobs/blob-store.ts';
import { storageUnavailable } from '../../blobs/storage-unavailable.ts';
import { nowSeconds } from '../../domain/clock.ts';

const PROJECT = 'proj_ingest';
/** Parse worker threads start in well under a second, but in several on a loaded shared machine. */
const PARSE_WORKER_PATIENCE = 60_000;
const silent = { error() {}, warn() {} };

async function expectAllIndexedOnce(store: Store, vectorStoreId: string, count: number) {
  const counts = await waitFor(
    async () => {
      const current = await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId });
      return current.in_progress === 0 && current;
    },
    'every file to be indexed',
    PARSE_WORKER_PATIENCE,
  );
  expect(counts).toEqual({
    in_progress: 0,
    completed: count,
    failed: 0,
    cancelled: 0,
    total: count,
  });
  for (let index = 0; index < count; index++) {
    const hits = await store.chunks.keywordSearch(
      { vectorStoreIds: [vectorStoreId] },
      `marker${index}`,
      10,
    );
    expect(hits, `marker${index}`).toHaveLength(1);
  }
}

/** `blobs` with every read failing as an unreachable file storage while `down.now` is true. */
function unreliable(blobs: BlobStore, down: { now: boolean }, reads: string[]): BlobStore {
  return {
    ...blobs,
    get(key) {
      reads.push(key);
      if (down.now) return Promise.reject(storageUnavailable(new Error('connect ECONNREFUSED')));
      return blobs.get(key);
    },
  };
}

const onlyFile = async (store: Store, vectorStoreId: string) =>
  (await store.vectorStoreFiles.list(PROJECT, vectorStoreId, { limit: 10, order: 'asc' }, {}))
    .data[0]!;

describe('ingestion worker durability', () => {
  let directory: string;
  let embeddings: TestEmbeddingServer;
  const parser = createDocumentParser(documentParserOptions(ConfigSchema.parse({})));
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-ingest-'));
    embeddings = await startTestEmbeddingServer();
  });
  afterAll(async () => {
    await parser.close();
    await embeddings.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** A store with `count` queued files; file i holds the unique word `marker<i>`. */
  async function seed(name: string, count: number, addedAt = 1) {
    const databasePath = join(directory, `${name}.db`);
    const dataDir = join(directory, name);
    const store = createSqliteStore(databasePath);
    await store.migrate();
    await store.projects.insert({
      id: PROJECT,
      object: 'organization.project',
      name,
      created_at: 1,
      archived_at: null,
      status: 'active',
    });
    const blobs = createLocalDiskBlobStore(dataDir);
    const vectorStoreId = newId('vectorStore');
    await store.vectorStores.insert(PROJECT, {
      id: vectorStoreId,
      created_at: 1,
      name,
      description: null,
      metadata: {},
      expires_after: null,
      last_active_at: 1,
    });
    for (let index = 0; index < count; index++) {
      const id = newId('file');
      const text = `Document ${index} mentions marker${index} and nothing else of note.`;
      await blobs.put(id, Readable.from([Buffer.from(text)]));
      await store.files.insert(
        PROJECT,
        {
          id,
          object: 'file',
          bytes: text.length,
          created_at: 1,
          filename: `doc-${index}.txt`,
          purpose: 'assistants',
          status: 'processed',
          expires_at: null,
          status_details: null,
        },
        'text/plain',
      );
      await store.vectorStoreFiles.upsert(
        PROJECT,
        inProgressFile(id, vectorStoreId, addedAt),
        null,
      );
    }
    return { store, blobs, databasePath, dataDir, vectorStoreId };
  }

  function worker(
    store: Store,
    blobs: BlobStore,
    leaseMilliseconds: number,
    more: Partial<IngestionWorkerOptions> = {},
  ) {
    const embedder = createCachedEmbedder(
      createOpenAIEmbeddingModel({ baseURL: embeddings.baseURL, model: TEST_EMBEDDING_MODEL }),
      store.embeddingCache,
    );
    return createIngestionWorker({
      store,
      blobs,
      parser,
      embedder,
      concurrency: 2,
      leaseMilliseconds,
      pollMilliseconds: 50,
      maxTokensPerFile: 1_000_000,
      log: silent,
      ...more,
    });
  }

  it('loses nothing when the worker process is killed mid-ingestion', async () => {
    const count = 12;
    const { store, blobs, databasePath, dataDir, vectorStoreId } = await seed('killed', count);
    embeddings.delay(400);
    let child: ChildProcess | undefined;
    try {
      child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, '../../../test/helpers/ingestion-child.ts'),
          databasePath,
          dataDir,
          embeddings.baseURL,
          '1000',
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await waitFor(
        async () =>
          (await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId })).completed >= 1,
        'the child to index a first file',
        PARSE_WORKER_PATIENCE,
      );
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    } finally {
      child?.kill('SIGKILL');
      embeddings.delay(0);
    }
    const afterKill = await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId });
    expect(afterKill.in_progress).toBeGreaterThan(0);

    const replacement = worker(store, blobs, 1000);
    replacement.start();
    try {
      await expectAllIndexedOnce(store, vectorStoreId, count);
    } finally {
      await replacement.stop();
      await store.close();
    }
  }, 180_000);

  it('gives unfinished jobs back when stopped, so the next worker takes them at once', async () => {
    const count = 6;
    const { store, blobs, vectorStoreId } = await seed('stopped', count);
    embeddings.delay(300);
    // A lease far longer than the test: only an explicit release lets another worker start at once.
    const first = worker(store, blobs, 600_000);
    first.start();
    await waitFor(
      async () => (await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId })).completed >= 1,
      'a first file',
    );
    await first.stop();
    embeddings.delay(0);
    expect(
      (await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId })).in_progress,
    ).toBeGreaterThan(0);
    const second = worker(store, blobs, 600_000);
    second.start();
    try {
      await expectAllIndexedOnce(store, vectorStoreId, count);
    } finally {
      await second.stop();
      await store.close();
    }
  });

  it('a loop whose lease renewal came back after another loop of the same worker claimed the job stops, and the file is indexed once', async () => {
    const { store, blobs, vectorStoreId } = await seed('slow-renewal', 1);
    // The database answers the first loop's renewals late, after its lease lapsed: the other loop
    // of the same worker claims the file meanwhile. The late answers must not hand it back.
    let claims = 0;
    let completions = 0;
    const slow: Store = {
      ...store,
      ingestionQueue: {
        ...store.ingestionQueue,
        async claimNext(...args) {
          const job = await store.ingestionQueue.claimNext(...args);
          if (job) claims++;
          return job;
        },
        async renewLease(...args) {
          if (claims < 2) await new Promise((resolve) => setTimeout(resolve, 700));
          return store.ingestionQueue.renewLease(...args);
        },
      },
      transaction: (work) =>
        store.transaction((transaction) =>
          work({
            ...transaction,
            ingestionQueue: {
              ...transaction.ingestionQueue,
              async complete(...args) {
                completions++;
                return transaction.ingestionQueue.complete(...args);
              },
            },
          }),
        ),
    };
    const requestsBefore = embeddings.requests;
    embeddings.delay(1500);
    const both = worker(slow, blobs, 300);
    both.start();
    try {
      await expectAllIndexedOnce(store, vectorStoreId, 1);
      expect(claims).toBe(2);
      // Both loops asked for the embeddings; an answer comes 1.5 s after its request, and a loop
      // that kept working completes the file then. Only the loop holding the claim may.
      await waitFor(
        async () => embeddings.requests >= requestsBefore + 2,
        'both loops to embed the file',
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(completions).toBe(1);
    } finally {
      embeddings.delay(0);
      await both.stop();
      await store.close();
    }
  }, 60_000);

  it('fails a file whose parse killed its worker maxAttempts times, without parsing it again', async () => {
    const { store, blobs, vectorStoreId } = await seed('crashing', 1);
    // Three processes claimed the file and died mid-parse: their leases lapsed, each claim counted.
    const start = Date.now() - 60_000;
    for (let crash = 0; crash < 3; crash++) {
      const now = start + crash * 2000;
      expect(await store.ingestionQueue.claimNext(`dead-${crash}`, now, now + 1000)).toMatchObject({
        attempts: crash + 1,
      });
    }
    const survivor = worker(store, blobs, 5000);
    survivor.start();
    try {
      const failed = await waitFor(async () => {
        const files = await store.vectorStoreFiles.list(
          PROJECT,
          vectorStoreId,
          { limit: 10, order: 'asc' },
          {},
        );
        return files.data[0]?.status === 'failed' && files.data[0];
      }, 'the file to fail');
      expect(failed.last_error).toEqual({
        code: 'server_error',
        message:
          'Indexing was interrupted 3 times (the worker crashed or its lease lapsed), the limit of attempts per file; giving up on this file.',
      });
    } finally {
      await survivor.stop();
      await store.close();
    }
  });

  it('retries a file while the file storage is unavailable and indexes it once it is back', async () => {
    const { store, blobs, vectorStoreId } = await seed('outage', 1, nowSeconds());
    const down = { now: true };
    const reads: string[] = [];
    const patient = worker(store, unreliable(blobs, down, reads), 60_000, {
      unavailableRetry: { minMilliseconds: 50, maxMilliseconds: 50 },
    });
    patient.start();
    try {
      // Read, given back and claimed again at once: not a lease (a minute) apart, nor failed.
      await waitFor(async () => reads.length >= 3, 'the file to be tried three times');
      expect(await onlyFile(store, vectorStoreId)).toMatchObject({
        status: 'in_progress',
        last_error: null,
      });
      down.now = false;
      await expectAllIndexedOnce(store, vectorStoreId, 1);
    } finally {
      await patient.stop();
      await store.close();
    }
  });

  it('fails a file the file storage was unavailable for since it was added too long ago, saying so', async () => {
    // Added an hour and a second ago: past the default patience.
    const { store, blobs, vectorStoreId } = await seed('gave-up', 1, nowSeconds() - 3601);
    const reads: string[] = [];
    const patient = worker(store, unreliable(blobs, { now: true }, reads), 60_000);
    patient.start();
    try {
      const failed = await waitFor(async () => {
        const file = await onlyFile(store, vectorStoreId);
        return file.status === 'failed' && file;
      }, 'the file to fail');
      expect(failed.last_error).toEqual({
        code: 'server_error',
        message:
          'The file could not be indexed: the file storage stayed unavailable for 60 minutes after the file was added; add it to the vector store again to retry.',
      });
      expect(reads).toHaveLength(1);
    } finally {
      await patient.stop();
      await store.close();
    }
  });
});

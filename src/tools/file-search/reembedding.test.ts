/**
 * Re-embedding when the configured embedder changes: the ingestion worker re-embeds every completed
 * file in the background, searches answer from the old vectors until all files have the new ones,
 * then the store switches (and drops the old vectors) at once; a worker stopped mid-way loses nothing,
 * and two workers (two nodes) share the work. On SQLite and PostgreSQL.
 */
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
import {
  createTestPostgresStore,
  dropSchema,
  postgresAvailable,
} from '../../../test/helpers/postgres.ts';
import { waitFor } from '../../../test/helpers/wait-for.ts';
import { createLocalDiskBlobStore } from '../../blobs/local-disk/local-disk-blob-store.ts';
import { ConfigSchema } from '../../config/config-schema.ts';
import { newId } from '../../domain/ids.ts';
import { inProgressFile } from '../../../test/helpers/vector-store-fixtures.ts';
import type { EmbeddingModel } from '../../models/embedding-model.ts';
import { createOpenAIEmbeddingModel } from '../../models/openai-embeddings/openai-embedding-model.ts';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../storage/store.ts';
import { createCachedEmbedder, type Embedder } from './cached-embedder.ts';
import { createDocumentParser, documentParserOptions } from './document-parser.ts';
import { createIngestionWorker, type IngestionWorker } from './ingestion-worker.ts';
import { createFileSearch } from './search.ts';

const PROJECT = 'proj_reembed';
const NEW_MODEL = `${TEST_EMBEDDING_MODEL}-v2`;
const silent = { error() {}, warn() {} };
const TEXTS = [
  'Refund policy: purchases may be returned within thirty days.',
  'Shipping takes five business days to most countries.',
  'Our office is closed on public holidays.',
];
/** A typo no keyword matches, but the trigram vectors place near the refund text. */
const QUERY = 'refundd pollicy';

const dialects = postgresAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(dialects)('re-embedding on a switch of embedder (%s)', (dialect) => {
  let directory: string;
  let server: TestEmbeddingServer;
  let store: Store;
  let schema: string | undefined;
  const parser = createDocumentParser(documentParserOptions(ConfigSchema.parse({})));
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-reembed-'));
    server = await startTestEmbeddingServer();
    if (dialect === 'sqlite') {
      store = createSqliteStore(join(directory, 'store.db'));
      await store.migrate();
    } else ({ store, schema } = await createTestPostgresStore());
    await store.projects.insert({
      id: PROJECT,
      object: 'organization.project',
      name: 'reembed',
      created_at: 1,
      archived_at: null,
      status: 'active',
    });
  });
  afterAll(async () => {
    await parser.close();
    await server.close();
    await store?.close();
    if (schema) await dropSchema(schema);
    rmSync(directory, { recursive: true, force: true });
  });

  const model = (id: string): EmbeddingModel => {
    const http = createOpenAIEmbeddingModel({ baseURL: server.baseURL, model: id });
    // The test model reads whole texts: windows of 8 words make several vectors per chunk.
    return {
      id,
      embed: (inputs, options) => http.embed(inputs, options),
      windows: (text) => {
        const words = text.split(' ');
        return words.length <= 8 ? [text] : [words.slice(0, 8).join(' '), words.slice(4).join(' ')];
      },
    };
  };
  const worker = (embedder: Embedder): IngestionWorker =>
    createIngestionWorker({
      store,
      blobs: createLocalDiskBlobStore(join(directory, 'blobs')),
      parser,
      embedder,
      concurrency: 2,
      leaseMilliseconds: 2_000,
      pollMilliseconds: 20,
      maxTokensPerFile: 5_000_000,
      log: silent,
    });
  const windowRows = async (vectorStoreId: string, modelId: string) => {
    const hits = await store.chunks.vectorSearch(
      { vectorStoreIds: [vectorStoreId] },
      (await createCachedEmbedder(model(modelId), store.embeddingCache).embed([QUERY]))[0]!,
      modelId,
      10,
    );
    return hits.length;
  };

  async function seed(embedder: Embedder): Promise<string> {
    const vectorStoreId = newId('vectorStore');
    await store.vectorStores.insert(PROJECT, {
      id: vectorStoreId,
      created_at: 1,
      name: 'handbook',
      description: null,
      metadata: {},
      expires_after: null,
      last_active_at: 1,
    });
    const blobs = createLocalDiskBlobStore(join(directory, 'blobs'));
    for (const [index, text] of TEXTS.entries()) {
      const id = newId('file');
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
        inProgressFile(id, vectorStoreId, index + 1),
        null,
      );
    }
    const indexing = worker(embedder);
    indexing.start();
    await waitFor(
      async () =>
        (await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId })).completed ===
          TEXTS.length &&
        (await store.vectorStores.embeddingModels([vectorStoreId])).get(vectorStoreId) ===
          embedder.model,
      'the files to be indexed and the store to search their vectors',
      30_000,
    );
    await indexing.stop();
    return vectorStoreId;
  }

  it(
    'searches the old vectors until every file has the new ones, then switches; a stopped worker loses nothing',
    { timeout: 60_000 },
    async () => {
      const oldEmbedder = createCachedEmbedder(model(TEST_EMBEDDING_MODEL), store.embeddingCache);
      const vectorStoreId = await seed(oldEmbedder);

      // The new model, held back: its first worker claims a file and is stopped before it can finish.
      const gate: { open?: () => void } = {};
      const held = new Promise<void>((resolve) => (gate.open = resolve));
      let claimed = 0;
      const slow = model(NEW_MODEL);
      const gated: EmbeddingModel = {
        ...slow,
        async embed(inputs, options) {
          claimed++;
          // Held until released, or until the worker stops and aborts it.
          await new Promise<void>((resolve, reject) => {
            void held.then(resolve);
            options?.signal?.addEventListener('abort', () => reject(new Error('stopped')));
          });
          return slow.embed(inputs, options);
        },
      };
      const newEmbedder = createCachedEmbedder(gated, store.embeddingCache);
      const search = createFileSearch({
        store,
        embedder: newEmbedder,
        embedderFor: (id) => (id === TEST_EMBEDDING_MODEL ? oldEmbedder : undefined),
      });
      const find = async () =>
        search({
          projectId: PROJECT,
          vectorStoreIds: [vectorStoreId],
          query: QUERY,
          maxNumResults: 3,
          scoreThreshold: 0,
        });

      const first = worker(newEmbedder);
      first.start();
      await waitFor(async () => claimed > 0, 'a file to be claimed for re-embedding', 10_000);
      // Mid-way: the keyword list is empty for this typo, so the answer comes from the old vectors.
      expect(
        await store.chunks.keywordSearch({ vectorStoreIds: [vectorStoreId] }, QUERY, 5),
      ).toEqual([]);
      expect((await find())[0]?.content[0]?.text).toBe(TEXTS[0]);
      expect((await store.vectorStores.embeddingModels([vectorStoreId])).get(vectorStoreId)).toBe(
        TEST_EMBEDDING_MODEL,
      );
      await first.stop();
      gate.open?.();

      // Two workers on the same database (two nodes) finish the work.
      const nodes = [worker(newEmbedder), worker(newEmbedder)];
      for (const node of nodes) node.start();
      await waitFor(
        async () =>
          (await store.vectorStores.embeddingModels([vectorStoreId])).get(vectorStoreId) ===
          NEW_MODEL,
        'the store to switch to the new vectors',
        30_000,
      );
      await Promise.all(nodes.map((node) => node.stop()));

      expect(await windowRows(vectorStoreId, TEST_EMBEDDING_MODEL)).toBe(0);
      expect(await windowRows(vectorStoreId, NEW_MODEL)).toBe(TEXTS.length);
      expect((await find())[0]?.content[0]?.text).toBe(TEXTS[0]);
      const files = await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId });
      expect(files).toMatchObject({ completed: TEXTS.length, in_progress: 0, failed: 0 });
    },
  );
});

/**
 * Builds an index the way the server does: documents go into the blob store and a vector store, and
 * the real ingestion worker parses, chunks, embeds (test embedding model over HTTP) and writes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createLocalDiskBlobStore } from '../../src/blobs/local-disk/local-disk-blob-store.ts';
import { newId } from '../../src/domain/ids.ts';
import type { StaticChunkingStrategy } from '../../src/domain/vector-store.ts';
import type { EmbeddingModel } from '../../src/models/embedding-model.ts';
import { createOpenAIEmbeddingModel } from '../../src/models/openai-embeddings/openai-embedding-model.ts';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { createCachedEmbedder } from '../../src/tools/file-search/cached-embedder.ts';
import {
  createDocumentParser,
  documentParserOptions,
} from '../../src/tools/file-search/document-parser.ts';
import { createIngestionWorker } from '../../src/tools/file-search/ingestion-worker.ts';
import { createFileSearch } from '../../src/tools/file-search/search.ts';
import { dropSchema, newSchemaName, postgresTestUrl } from '../../test/helpers/postgres.ts';
import { TEST_EMBEDDING_MODEL } from '../../test/helpers/embedding-server.ts';
import type { Document } from './corpus.ts';

export const PROJECT = 'proj_bench';

export interface Index {
  store: Store;
  vectorStoreId: string;
  names: Map<string, string>;
  indexSeconds: number;
  megabytes: number;
  keywordSearch: ReturnType<typeof createFileSearch>;
  hybridSearch: ReturnType<typeof createFileSearch>;
  close(): Promise<void>;
}

export async function buildIndex(
  database: 'sqlite' | 'postgres',
  documents: Document[],
  chunking: StaticChunkingStrategy,
  /** The test embedding server's URL, or the embedding model to use (e.g. the built-in one). */
  embeddings: string | EmbeddingModel,
): Promise<Index> {
  const directory = mkdtempSync(join(tmpdir(), 'concierge-bench-'));
  const schema = newSchemaName();
  const store =
    database === 'sqlite'
      ? createSqliteStore(join(directory, 'bench.db'))
      : await createPostgresStore({
          connectionString: postgresTestUrl,
          schema,
          statementTimeout: 600_000,
        });
  await store.migrate();
  await store.projects.insert({
    id: PROJECT,
    object: 'organization.project',
    name: 'bench',
    created_at: 1,
    archived_at: null,
    status: 'active',
  });
  const blobs = createLocalDiskBlobStore(directory);
  const vectorStoreId = newId('vectorStore');
  await store.vectorStores.insert(PROJECT, {
    id: vectorStoreId,
    created_at: 1,
    name: 'bench',
    description: null,
    metadata: {},
    expires_after: null,
    last_active_at: 1,
  });
  const names = new Map<string, string>();
  let bytes = 0;
  for (const document of documents) {
    const id = newId('file');
    const content = Buffer.from(document.text);
    bytes += content.length;
    names.set(id, document.name);
    await blobs.put(id, Readable.from([content]));
    await store.files.insert(
      PROJECT,
      {
        id,
        object: 'file',
        bytes: content.length,
        created_at: 1,
        filename: document.name,
        purpose: 'assistants',
        status: 'processed',
        expires_at: null,
        status_details: null,
      },
      'text/plain',
    );
  }
  const embedder = createCachedEmbedder(
    typeof embeddings === 'string'
      ? createOpenAIEmbeddingModel({
          baseURL: embeddings,
          model: TEST_EMBEDDING_MODEL,
          batchSize: 512,
        })
      : embeddings,
    store.embeddingCache,
  );
  const parser = createDocumentParser(documentParserOptions(ConfigSchema.parse({})));
  const worker = createIngestionWorker({
    store,
    blobs,
    parser,
    embedder,
    concurrency: 2,
    leaseMilliseconds: 60_000,
    pollMilliseconds: 20,
    maxTokensPerFile: 5_000_000,
    log: console,
  });

  const started = performance.now();
  await store.transaction(async (transaction) => {
    for (const id of names.keys()) {
      await transaction.vectorStoreFiles.upsert(
        PROJECT,
        {
          id,
          object: 'vector_store.file',
          usage_bytes: 0,
          created_at: 1,
          vector_store_id: vectorStoreId,
          status: 'in_progress',
          last_error: null,
          chunking_strategy: chunking,
          attributes: {},
        },
        null,
      );
    }
  });
  worker.start();
  for (;;) {
    const counts = await store.vectorStoreFiles.counts(PROJECT, { vectorStoreId });
    if (counts.in_progress === 0) {
      if (counts.failed > 0) throw new Error(`${counts.failed} files failed to index`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const indexSeconds = (performance.now() - started) / 1000;
  await worker.stop();
  await parser.close();
  return {
    store,
    vectorStoreId,
    names,
    indexSeconds,
    megabytes: bytes / 1e6,
    keywordSearch: createFileSearch({ store }),
    hybridSearch: createFileSearch({ store, embedder }),
    async close() {
      await store.close();
      if (database === 'postgres') await dropSchema(schema);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

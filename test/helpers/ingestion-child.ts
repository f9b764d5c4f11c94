/**
 * A separate process that runs only an ingestion worker on a SQLite file, so a test can SIGKILL it
 * mid-ingestion. Arguments: <database path> <data dir> <embeddings base URL> <lease milliseconds>.
 */
import { createLocalDiskBlobStore } from '../../src/blobs/local-disk/local-disk-blob-store.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { createOpenAIEmbeddingModel } from '../../src/models/openai-embeddings/openai-embedding-model.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import { createCachedEmbedder } from '../../src/tools/file-search/cached-embedder.ts';
import {
  createDocumentParser,
  documentParserOptions,
} from '../../src/tools/file-search/document-parser.ts';
import { createIngestionWorker } from '../../src/tools/file-search/ingestion-worker.ts';
import { TEST_EMBEDDING_MODEL } from './embedding-server.ts';

const [databasePath, dataDir, baseURL, lease] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const store = createSqliteStore(databasePath);
const embedder = createCachedEmbedder(
  createOpenAIEmbeddingModel({ baseURL, model: TEST_EMBEDDING_MODEL }),
  store.embeddingCache,
);
const worker = createIngestionWorker({
  store,
  blobs: createLocalDiskBlobStore(dataDir),
  parser: createDocumentParser(documentParserOptions(ConfigSchema.parse({}))),
  embedder,
  concurrency: 2,
  leaseMilliseconds: Number(lease),
  pollMilliseconds: 50,
  maxTokensPerFile: 1_000_000,
  log: {
    error: (object, message) => console.error(message, object),
    warn: (object, message) => console.error(message, object),
  },
});
worker.start();
console.log('ready');

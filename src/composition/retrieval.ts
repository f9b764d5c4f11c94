/**
 * Retrieval: embeddings (the built-in `local:use-lite` by default, a remote model by name, or none;
 * cached in the store), vector store search, and, on a node that runs workers, the ingestion worker
 * that indexes queued files.
 */
import type { Config } from '../config/config-schema.ts';
import type { EmbeddingModel } from '../models/embedding-model.ts';
import { createOpenAIEmbeddingModel } from '../models/openai-embeddings/openai-embedding-model.ts';
import {
  createLocalEmbeddingModel,
  LOCAL_EMBEDDING_MODEL,
} from '../models/use-lite/local-embedding-model.ts';
import { createCachedEmbedder, type Embedder } from '../tools/file-search/cached-embedder.ts';
import {
  createDocumentParser,
  documentParserOptions,
  type DocumentParser,
} from '../tools/file-search/document-parser.ts';
import {
  createIngestionWorker,
  type IngestionWorker,
} from '../tools/file-search/ingestion-worker.ts';
import { createFileSearch } from '../tools/file-search/search.ts';
import type { FileSearch } from '../tools/file-search.ts';
import type { CloserStack } from './closer-stack.ts';
import type { RelayLog } from './log-relay.ts';
import type { Persistence } from './persistence.ts';

export interface Retrieval {
  fileSearch: FileSearch;
  embedder: Embedder | undefined;
  /** Parses and chunks documents in worker threads, with the caps of the config. */
  parser: DocumentParser;
  /**
   * Indexes queued files; only on a node that runs workers (`config.worker`). Started and stopped with
   * the run worker (see `serving.ts`).
   */
  ingestion: IngestionWorker | undefined;
  /** Files were queued for ingestion: wakes this process's worker (other nodes find them by polling). */
  onFilesQueued(): void;
  /** The line the server logs at start: which retrieval this deployment does. */
  describe(): Promise<string>;
}

/** `CONCIERGE_EMBEDDING_MODEL=none` turns embeddings off: file search is keyword-only. */
export const NO_EMBEDDING_MODEL = 'none';

/** The configured embedding model, or undefined for keyword-only; the built-in one loads lazily. */
function createEmbeddingModel(config: Config, closers: CloserStack): EmbeddingModel | undefined {
  if (config.embeddingModel === NO_EMBEDDING_MODEL) return undefined;
  if (config.embeddingModel === LOCAL_EMBEDDING_MODEL) {
    const local = createLocalEmbeddingModel({ threads: config.embeddingThreads });
    closers.push('built-in embedder', () => local.close());
    return local;
  }
  return createOpenAIEmbeddingModel({
    baseURL: config.providerBaseUrl,
    apiKey: config.providerApiKey,
    model: config.embeddingModel,
  });
}

export function createRetrieval(
  config: Config,
  { store, blobs }: Persistence,
  closers: CloserStack,
  log: RelayLog,
): Retrieval {
  const embeddingModel = createEmbeddingModel(config, closers);
  const embedder = embeddingModel
    ? createCachedEmbedder(embeddingModel, store.embeddingCache)
    : undefined;
  // A store searches the vectors it has until its files are re-embedded with the configured model:
  // its queries are embedded by that other model, created on first use when this server can run it.
  const previous = new Map<string, Embedder | undefined>();
  const embedderFor = (model: string) => {
    if (!previous.has(model)) {
      const other = createEmbeddingModel({ ...config, embeddingModel: model }, closers);
      previous.set(model, other && createCachedEmbedder(other, store.embeddingCache));
    }
    return previous.get(model);
  };
  const fileSearch = createFileSearch({
    store,
    embedder,
    embedderFor,
    onEmbeddingError: (error) =>
      log.warn(
        { err: error },
        'file_search: the query could not be embedded; searching by keyword only',
      ),
  });
  // Pushed before the workers' drain, so it closes after them.
  const parser = createDocumentParser(documentParserOptions(config));
  closers.push('document parser', () => parser.close());
  const ingestion = config.worker
    ? createIngestionWorker({
        store,
        blobs,
        embedder,
        concurrency: config.ingestionConcurrency,
        leaseMilliseconds: config.leaseSeconds * 1000,
        parser,
        maxTokensPerFile: config.fileSearchMaxTokensPerFile,
        maxAttempts: config.ingestionMaxAttempts,
        log,
      })
    : undefined;
  return {
    fileSearch,
    embedder,
    parser,
    ingestion,
    onFilesQueued: () => ingestion?.wake(),
    describe: async () =>
      embedder
        ? `file_search: hybrid retrieval (keyword + ${config.embeddingModel} embeddings, vectors via ${await store.chunks.vectorBackend()})`
        : 'file_search: keyword-only retrieval (CONCIERGE_EMBEDDING_MODEL=none)',
  };
}

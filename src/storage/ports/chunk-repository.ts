/**
 * Port: chunks of ingested files, with a keyword index and optional embeddings. The search SQL is
 * dialect-specific (FTS5 + sqlite-vec; tsvector + pgvector or plain SQL), so each adapter supplies
 * its own implementation; both pass the same contract.
 */

export interface ChunkInput {
  text: string;
  /**
   * Unit-length embeddings, one per window of the chunk the model read (one when it read the whole
   * chunk); absent when no embedding model is configured.
   */
  embeddings?: Float32Array[];
}

export interface ChunkHit {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  chunkIndex: number;
  text: string;
  /**
   * How well the chunk matched, higher is better, comparable only within one list: the keyword
   * relevance (negated bm25 on SQLite, ts_rank_cd on Postgres) or the cosine similarity (-1–1).
   */
  score: number;
}

/** Where to search: the stores, and optionally only these files. */
export interface ChunkScope {
  vectorStoreIds: string[];
  fileIds?: string[];
}

export interface ChunkRepository {
  /** Replaces every chunk of the file in the store (and their embeddings, made by `embeddingModel`). */
  replaceForFile(
    vectorStoreId: string,
    fileId: string,
    chunks: ChunkInput[],
    embeddingModel: string | undefined,
  ): Promise<void>;
  /** The file's chunks in order, for embedding them again with another model. */
  listForFile(vectorStoreId: string, fileId: string): Promise<Array<{ id: number; text: string }>>;
  /**
   * Replaces the file's vectors made by `model` (those of other models stay), one row per window of
   * each chunk; chunks that no longer exist are skipped.
   */
  replaceEmbeddings(
    vectorStoreId: string,
    fileId: string,
    model: string,
    chunks: Array<{ id: number; embeddings: Float32Array[] }>,
  ): Promise<void>;
  /** Best keyword matches (BM25 on SQLite, ts_rank_cd on Postgres), best first. */
  keywordSearch(scope: ChunkScope, query: string, limit: number): Promise<ChunkHit[]>;
  /**
   * Nearest chunks by cosine similarity among embeddings of `model` with the same dimensions, best
   * first; a chunk with several windows scores as its best window.
   */
  vectorSearch(
    scope: ChunkScope,
    embedding: Float32Array,
    model: string,
    limit: number,
  ): Promise<ChunkHit[]>;
  /** How the adapter searches vectors, for the startup log and the benchmark. */
  vectorBackend(): Promise<'sqlite-vec' | 'pgvector' | 'plain-sql'>;
}

export interface EmbeddingCacheRepository {
  /** Cached embeddings of `model` by content hash; missing hashes are absent from the map. */
  getMany(model: string, contentHashes: string[]): Promise<Map<string, Float32Array>>;
  putMany(
    model: string,
    entries: Array<{ contentHash: string; embedding: Float32Array }>,
  ): Promise<void>;
}

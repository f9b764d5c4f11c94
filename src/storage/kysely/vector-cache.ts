/**
 * Vectors kept decoded in memory, per vector-store file and model, so a vector search is one scan of
 * contiguous Float32Arrays instead of reading and decoding every stored embedding in SQL (on SQLite
 * the exact scan read ~40 MB of blobs per query at 10k chunks; on PostgreSQL without pgvector it
 * unnested every `real[]`).
 *
 * A search first reads the `vectors_version` of each file in scope (one indexed statement; a trigger
 * gives a file a new version whenever its vectors change, see migration 0019), reloads only the files
 * whose version differs from the one held (one statement per store and batch of files), then scans.
 * A version is read before the vectors it labels, so a file written in between is held with data
 * newer than its label and is reloaded by the next search: the cache converges on what is stored.
 *
 * Memory is bounded by `maxBytes` (least recently searched stores go first); a store that does not
 * fit is searched in SQL as before, as is any search inside a transaction (it may see writes that are
 * rolled back). A bound of 0 holds nothing: every search goes to SQL, and reads no versions.
 */
import type { Kysely } from 'kysely';
import type { ChunkHit, ChunkScope } from '../store.ts';
import type { Database } from './database.ts';

/**
 * Default bound on decoded vectors held per process (`CONCIERGE_VECTOR_CACHE_MB`): 256 MiB, about
 * 130k windows of 512 dimensions.
 */
export const VECTOR_CACHE_BYTES = 256 * 2 ** 20;

/** Files whose vectors are loaded per statement. */
const FILES_PER_LOAD = 200;

interface FileVectors {
  version: number;
  chunkIds: Float64Array;
  /** Row i is `vectors[i * dimensions, (i + 1) * dimensions)`; a chunk's windows are adjacent rows. */
  vectors: Float32Array;
}

interface StoreVectors {
  files: Map<string, FileVectors>;
  bytes: number;
}

export interface VectorCache {
  /**
   * The nearest chunks (best window per chunk), best first, or undefined when the store(s) cannot be
   * held in memory and the caller must search in SQL.
   */
  search(
    db: Kysely<Database>,
    scope: ChunkScope,
    embedding: Float32Array,
    model: string,
    limit: number,
  ): Promise<ChunkHit[] | undefined>;
  /** Rows of `chunk_embeddings` decoded so far (for tests: each file's vectors are decoded once per version). */
  rowsDecoded(): number;
}

export function createVectorCache(
  decode: (stored: Buffer | number[]) => Float32Array,
  maxBytes = VECTOR_CACHE_BYTES,
): VectorCache {
  /** By `${vectorStoreId} ${model} ${dimensions}`, least recently searched first. */
  const stores = new Map<string, StoreVectors>();
  /**
   * Stores found too large, by key, with the state they were found in: their file count and highest
   * version (versions only grow, so any change to the store changes one of the two). Not loaded
   * again until it changes.
   */
  const tooLarge = new Map<string, string>();
  let decoded = 0;

  function totalBytes(): number {
    let sum = 0;
    for (const held of stores.values()) sum += held.bytes;
    return sum;
  }

  async function refresh(
    db: Kysely<Database>,
    vectorStoreId: string,
    model: string,
    dimensions: number,
    versions: Map<string, number>,
  ): Promise<StoreVectors | undefined> {
    const key = `${vectorStoreId} ${model} ${dimensions}`;
    const state = `${versions.size} ${Math.max(0, ...versions.values())}`;
    if (tooLarge.get(key) === state) return undefined;
    tooLarge.delete(key);
    const held = stores.get(key) ?? { files: new Map<string, FileVectors>(), bytes: 0 };
    stores.delete(key);
    for (const [fileId, file] of held.files)
      if (versions.get(fileId) !== file.version) {
        held.files.delete(fileId);
        held.bytes -= file.vectors.byteLength + file.chunkIds.byteLength;
      }
    const stale = [...versions.keys()].filter((fileId) => !held.files.has(fileId));
    for (let start = 0; start < stale.length; start += FILES_PER_LOAD) {
      const batch = stale.slice(start, start + FILES_PER_LOAD);
      const rows = await db
        .selectFrom('chunk_embeddings')
        .select(['file_id', 'chunk_id', 'embedding'])
        .where('vector_store_id', '=', vectorStoreId)
        .where('model', '=', model)
        .where('file_id', 'in', batch)
        .orderBy('file_id')
        .orderBy('chunk_id')
        .orderBy('window_index')
        .execute();
      decoded += rows.length;
      const byFile = new Map<string, Array<{ chunkId: number; vector: Float32Array }>>();
      for (const row of rows) {
        const vector = decode(row.embedding);
        if (vector.length !== dimensions) continue;
        const list = byFile.get(row.file_id) ?? [];
        list.push({ chunkId: Number(row.chunk_id), vector });
        byFile.set(row.file_id, list);
      }
      for (const fileId of batch) {
        const list = byFile.get(fileId) ?? [];
        const file: FileVectors = {
          version: versions.get(fileId)!,
          chunkIds: Float64Array.from(list, (entry) => entry.chunkId),
          vectors: new Float32Array(list.length * dimensions),
        };
        list.forEach((entry, index) => file.vectors.set(entry.vector, index * dimensions));
        held.files.set(fileId, file);
        held.bytes += file.vectors.byteLength + file.chunkIds.byteLength;
      }
      if (held.bytes > maxBytes) break;
    }
    // Least recently searched stores make room; one that alone exceeds the bound is not held.
    if (held.bytes > maxBytes) {
      tooLarge.set(key, state);
      return undefined;
    }
    for (const other of stores.keys()) {
      if (totalBytes() + held.bytes <= maxBytes) break;
      stores.delete(other);
    }
    stores.set(key, held);
    return held;
  }

  return {
    rowsDecoded: () => decoded,
    async search(db, scope, embedding, model, limit) {
      if (maxBytes <= 0 || db.isTransaction || scope.vectorStoreIds.length === 0 || limit <= 0)
        return undefined;
      let query = db
        .selectFrom('vector_store_files')
        .select(['vector_store_id', 'id', 'vectors_version'])
        .where('vector_store_id', 'in', scope.vectorStoreIds)
        .where('vectors_version', 'is not', null);
      if (scope.fileIds) query = query.where('id', 'in', scope.fileIds);
      const versionsByStore = new Map<string, Map<string, number>>(
        scope.vectorStoreIds.map((id) => [id, new Map()]),
      );
      for (const row of await query.execute())
        versionsByStore.get(row.vector_store_id)?.set(row.id, Number(row.vectors_version));

      const dimensions = embedding.length;
      const best = new TopK(limit);
      for (const [vectorStoreId, versions] of versionsByStore) {
        const held = await refresh(db, vectorStoreId, model, dimensions, versions);
        if (!held) return undefined;
        for (const [fileId, file] of held.files)
          if (versions.has(fileId)) scan(file, embedding, vectorStoreId, fileId, best);
      }
      const nearest = best.sorted();
      if (nearest.length === 0) return [];
      const rows = await db
        .selectFrom('chunks')
        .select(['id', 'chunk_index', 'text'])
        .where(
          'id',
          'in',
          nearest.map((entry) => entry.chunkId),
        )
        .execute();
      const byId = new Map(rows.map((row) => [Number(row.id), row]));
      return nearest.flatMap((entry) => {
        const row = byId.get(entry.chunkId);
        return row
          ? [
              {
                chunkId: entry.chunkId,
                vectorStoreId: entry.vectorStoreId,
                fileId: entry.fileId,
                chunkIndex: Number(row.chunk_index),
                text: row.text,
                score: entry.score,
              },
            ]
          : [];
      });
    },
  };
}

interface Candidate {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  score: number;
}

/** Better: higher score, then lower chunk id (the SQL path's order). */
function better(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.chunkId < b.chunkId);
}

/** The `limit` best candidates seen, kept sorted best first (insertion: `limit` is small). */
class TopK {
  private readonly entries: Candidate[] = [];
  constructor(private readonly limit: number) {}

  /** The score a candidate must beat to enter. */
  threshold(): number {
    return this.entries.length < this.limit ? -Infinity : this.entries.at(-1)!.score;
  }

  offer(candidate: Candidate): void {
    if (this.entries.length >= this.limit && !better(candidate, this.entries.at(-1)!)) return;
    let index = this.entries.length;
    while (index > 0 && better(candidate, this.entries[index - 1]!)) index--;
    this.entries.splice(index, 0, candidate);
    if (this.entries.length > this.limit) this.entries.pop();
  }

  sorted(): Candidate[] {
    return this.entries;
  }
}

/** Cosine similarity of each window (vectors are unit length: a dot product), best window per chunk. */
function scan(
  file: FileVectors,
  query: Float32Array,
  vectorStoreId: string,
  fileId: string,
  best: TopK,
): void {
  const dimensions = query.length;
  const { chunkIds, vectors } = file;
  let current = -1;
  let currentScore = -Infinity;
  const flush = () => {
    if (current >= 0 && currentScore >= best.threshold())
      best.offer({ chunkId: current, vectorStoreId, fileId, score: currentScore });
  };
  for (let row = 0; row < chunkIds.length; row++) {
    let dot = 0;
    const offset = row * dimensions;
    for (let index = 0; index < dimensions; index++)
      dot += vectors[offset + index]! * query[index]!;
    const chunkId = chunkIds[row]!;
    if (chunkId !== current) {
      flush();
      current = chunkId;
      currentScore = dot;
    } else if (dot > currentScore) currentScore = dot;
  }
  flush();
}

/** Vector stores, their files and file batches, as the Assistants API returns them. */
import type { Metadata } from './assistant.ts';

export interface FileCounts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

export interface VectorStoreExpiresAfter {
  anchor: 'last_active_at';
  days: number;
}

export interface VectorStore {
  id: string;
  object: 'vector_store';
  created_at: number;
  /** A string as the spec types it; `""` when the store was created without one. */
  name: string;
  usage_bytes: number;
  file_counts: FileCounts;
  status: 'expired' | 'in_progress' | 'completed';
  last_active_at: number | null;
  metadata: Metadata;
  /** Present only when the store has an expiry policy. */
  expires_after?: VectorStoreExpiresAfter;
  expires_at: number | null;
}

/** The response form of a chunking strategy; `auto` is reported as the static values it stands for. */
export interface StaticChunkingStrategy {
  type: 'static';
  static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number };
}

/** `auto` chunking as OpenAI documents it: 800-token chunks overlapping by 400. */
export const AUTO_CHUNKING: StaticChunkingStrategy = {
  type: 'static',
  static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
};

export type AttributeValue = string | number | boolean;
export type FileAttributes = Record<string, AttributeValue>;

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed';

export interface VectorStoreFileError {
  code: 'server_error' | 'unsupported_file' | 'invalid_file';
  message: string;
}

export interface VectorStoreFile {
  /** Equals the id of the underlying file. */
  id: string;
  object: 'vector_store.file';
  usage_bytes: number;
  created_at: number;
  vector_store_id: string;
  status: VectorStoreFileStatus;
  last_error: VectorStoreFileError | null;
  chunking_strategy: StaticChunkingStrategy;
  attributes: FileAttributes;
}

export interface VectorStoreFileBatch {
  id: string;
  object: 'vector_store.files_batch';
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  file_counts: FileCounts;
}

/** A file batch as stored; its status and counts are derived from its files when it is read. */
export interface FileBatchRecord {
  id: string;
  vector_store_id: string;
  created_at: number;
  cancelled_at: number | null;
}

/** Counts per status of a set of vector store files, in the five-field shape of `file_counts`. */
export function fileCounts(byStatus: Partial<Record<VectorStoreFileStatus, number>>): FileCounts {
  const in_progress = byStatus.in_progress ?? 0;
  const completed = byStatus.completed ?? 0;
  const failed = byStatus.failed ?? 0;
  const cancelled = byStatus.cancelled ?? 0;
  return {
    in_progress,
    completed,
    failed,
    cancelled,
    total: in_progress + completed + failed + cancelled,
  };
}

/** A vector store as stored; counts, usage and status are derived from its files when it is read. */
export interface VectorStoreRecord {
  id: string;
  created_at: number;
  name: string | null;
  description: string | null;
  metadata: Metadata;
  expires_after: VectorStoreExpiresAfter | null;
  last_active_at: number | null;
}

const SECONDS_PER_DAY = 86_400;

/** When the store expires under its `expires_after` policy (seconds), or null without one. */
export function expiresAt(record: VectorStoreRecord): number | null {
  return record.expires_after
    ? (record.last_active_at ?? record.created_at) + record.expires_after.days * SECONDS_PER_DAY
    : null;
}

export function isExpired(record: VectorStoreRecord, now: number): boolean {
  const at = expiresAt(record);
  return at !== null && at <= now;
}

/** The API object of a stored vector store at time `now` (seconds). */
export function vectorStoreObject(
  record: VectorStoreRecord,
  stats: { counts: FileCounts; usageBytes: number },
  now: number,
): VectorStore {
  const status = isExpired(record, now)
    ? 'expired'
    : stats.counts.in_progress > 0
      ? 'in_progress'
      : 'completed';
  return {
    id: record.id,
    object: 'vector_store',
    created_at: record.created_at,
    name: record.name ?? '',
    usage_bytes: stats.usageBytes,
    file_counts: stats.counts,
    status,
    last_active_at: record.last_active_at,
    metadata: record.metadata,
    ...(record.expires_after ? { expires_after: record.expires_after } : {}),
    expires_at: expiresAt(record),
  };
}

/**
 * Adds files to a vector store as ingestion jobs. Shared by store creation, the files and
 * file-batches endpoints, and the `vector_stores` / attachment helpers of assistants and threads.
 * Call inside the caller's transaction; wake the ingestion worker after it commits.
 */
import { nowSeconds } from '../../domain/clock.ts';
import {
  AUTO_CHUNKING,
  type FileAttributes,
  type StaticChunkingStrategy,
  type VectorStoreFile,
} from '../../domain/vector-store.ts';
import type { Store } from '../../storage/store.ts';
import { assertFilesExist } from '../files/files.service.ts';

/** A chunking strategy as requested: absent and `auto` both mean 800/400. */
export type ChunkingStrategyInput = { type: 'auto' } | StaticChunkingStrategy;

export interface FileToAttach {
  fileId: string;
  chunkingStrategy?: ChunkingStrategyInput | undefined;
  attributes?: FileAttributes | null | undefined;
}

export function resolveChunking(input: ChunkingStrategyInput | undefined): StaticChunkingStrategy {
  return !input || input.type === 'auto'
    ? AUTO_CHUNKING
    : { type: 'static', static: { ...input.static } };
}

export async function attachFiles(
  store: Store,
  projectId: string,
  vectorStoreId: string,
  files: FileToAttach[],
  batchId: string | null,
  param: string,
): Promise<VectorStoreFile[]> {
  await assertFilesExist(
    store,
    projectId,
    files.map((file) => file.fileId),
    param,
    // A file deleted meanwhile would leave its vector store file behind, pointing at nothing.
    true,
  );
  const now = nowSeconds();
  const attached: VectorStoreFile[] = [];
  for (const file of files) {
    const row: VectorStoreFile = {
      id: file.fileId,
      object: 'vector_store.file',
      usage_bytes: 0,
      created_at: now,
      vector_store_id: vectorStoreId,
      status: 'in_progress',
      last_error: null,
      chunking_strategy: resolveChunking(file.chunkingStrategy),
      attributes: file.attributes ?? {},
    };
    await store.vectorStoreFiles.upsert(projectId, row, batchId);
    attached.push(row);
  }
  if (files.length > 0) await store.vectorStores.touch(projectId, vectorStoreId, now);
  return attached;
}

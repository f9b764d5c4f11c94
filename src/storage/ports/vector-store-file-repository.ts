/** Port: the files of vector stores and their batches. */
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type {
  FileAttributes,
  FileBatchRecord,
  FileCounts,
  VectorStoreFile,
  VectorStoreFileStatus,
} from '../../domain/vector-store.ts';

export type FileCountScope = { vectorStoreId: string } | { batchId: string };

export interface VectorStoreFileRepository {
  /**
   * Adds the file to its store as `in_progress` (an ingestion job), or, when the file is already there,
   * replaces it: attributes, chunking, batch and status are reset and the file is ingested again.
   */
  upsert(projectId: string, file: VectorStoreFile, batchId: string | null): Promise<void>;
  find(
    projectId: string,
    vectorStoreId: string,
    fileId: string,
  ): Promise<VectorStoreFile | undefined>;
  /** The given files of one store, in no particular order; files not in the store are left out. */
  findMany(projectId: string, vectorStoreId: string, fileIds: string[]): Promise<VectorStoreFile[]>;
  list(
    projectId: string,
    vectorStoreId: string,
    page: PageParams,
    filter: { status?: VectorStoreFileStatus; batchId?: string },
  ): Promise<ListPage<VectorStoreFile>>;
  updateAttributes(
    projectId: string,
    vectorStoreId: string,
    fileId: string,
    attributes: FileAttributes,
  ): Promise<boolean>;
  /** Removes the file (and its chunks) from one store; the file itself survives. */
  delete(projectId: string, vectorStoreId: string, fileId: string): Promise<boolean>;
  /** Removes the file from every store of the project, as deleting the file does. */
  deleteEverywhere(projectId: string, fileId: string): Promise<number>;
  counts(projectId: string, scope: FileCountScope): Promise<FileCounts>;
  /** Sum of `usage_bytes` per store. */
  usageBytes(projectId: string, vectorStoreId: string): Promise<number>;
  /** Marks the batch's files that are still in progress as cancelled; returns how many. */
  cancelInProgress(projectId: string, batchId: string): Promise<number>;
  /** Attributes of the completed files of the given stores, for attribute filters. */
  completedAttributes(
    projectId: string,
    vectorStoreIds: string[],
  ): Promise<Array<{ vectorStoreId: string; fileId: string; attributes: FileAttributes }>>;
}

export interface FileBatchRepository {
  insert(projectId: string, batch: FileBatchRecord): Promise<void>;
  find(projectId: string, vectorStoreId: string, id: string): Promise<FileBatchRecord | undefined>;
  markCancelled(projectId: string, id: string, at: number): Promise<void>;
}

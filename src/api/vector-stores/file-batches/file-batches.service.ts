/** File batches: add many files at once, follow them together, cancel the ones not yet indexed. */
import { nowSeconds } from '../../../domain/clock.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import { newId } from '../../../domain/ids.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import type {
  FileBatchRecord,
  VectorStoreFileBatch,
  VectorStoreFileStatus,
} from '../../../domain/vector-store.ts';
import type { Store } from '../../../storage/store.ts';
import { attachFiles, type FileToAttach } from '../attach-files.ts';
import { requireVectorStore } from '../files/vector-store-files.service.ts';
import type { FileBatchCreateParams } from './file-batches.schemas.ts';

export interface FileBatchesServiceOptions {
  store: Store;
  onFilesQueued: () => void;
}

export function createFileBatchesService({ store, onFilesQueued }: FileBatchesServiceOptions) {
  async function toObject(
    projectId: string,
    record: FileBatchRecord,
  ): Promise<VectorStoreFileBatch> {
    const counts = await store.vectorStoreFiles.counts(projectId, { batchId: record.id });
    const status =
      counts.in_progress > 0
        ? 'in_progress'
        : record.cancelled_at !== null
          ? 'cancelled'
          : counts.total > 0 && counts.failed === counts.total
            ? 'failed'
            : 'completed';
    return {
      id: record.id,
      object: 'vector_store.files_batch',
      created_at: record.created_at,
      vector_store_id: record.vector_store_id,
      status,
      file_counts: counts,
    };
  }

  async function findRecord(
    projectId: string,
    vectorStoreId: string,
    batchId: string,
  ): Promise<FileBatchRecord> {
    const record = await store.fileBatches.find(projectId, vectorStoreId, batchId);
    if (record) return record;
    await requireVectorStore(store, projectId, vectorStoreId);
    throw NotFoundError.object('file batch', batchId, 'batch_id');
  }

  return {
    async create(
      projectId: string,
      vectorStoreId: string,
      params: FileBatchCreateParams,
    ): Promise<VectorStoreFileBatch> {
      const files: FileToAttach[] = params.files
        ? params.files.map((file) => ({
            fileId: file.file_id,
            chunkingStrategy: file.chunking_strategy,
            attributes: file.attributes,
          }))
        : params.file_ids!.map((fileId) => ({
            fileId,
            chunkingStrategy: params.chunking_strategy,
            attributes: params.attributes,
          }));
      const record = await store.transaction(async (transaction) => {
        await requireVectorStore(transaction, projectId, vectorStoreId);
        const batch: FileBatchRecord = {
          id: newId('fileBatch'),
          vector_store_id: vectorStoreId,
          created_at: nowSeconds(),
          cancelled_at: null,
        };
        await transaction.fileBatches.insert(projectId, batch);
        // A file listed twice is indexed once.
        const unique = [...new Map(files.map((file) => [file.fileId, file])).values()];
        await attachFiles(
          transaction,
          projectId,
          vectorStoreId,
          unique,
          batch.id,
          params.files ? 'files' : 'file_ids',
        );
        return batch;
      });
      onFilesQueued();
      return toObject(projectId, record);
    },

    async retrieve(
      projectId: string,
      vectorStoreId: string,
      batchId: string,
    ): Promise<VectorStoreFileBatch> {
      return toObject(projectId, await findRecord(projectId, vectorStoreId, batchId));
    },

    /** Cancels the files not yet indexed; files already done keep their status. */
    async cancel(
      projectId: string,
      vectorStoreId: string,
      batchId: string,
    ): Promise<VectorStoreFileBatch> {
      const record = await findRecord(projectId, vectorStoreId, batchId);
      const cancelledAt = record.cancelled_at ?? nowSeconds();
      await store.transaction(async (transaction) => {
        await transaction.fileBatches.markCancelled(projectId, batchId, cancelledAt);
        await transaction.vectorStoreFiles.cancelInProgress(projectId, batchId);
      });
      return toObject(projectId, { ...record, cancelled_at: cancelledAt });
    },

    async listFiles(
      projectId: string,
      vectorStoreId: string,
      batchId: string,
      page: PageParams,
      filter: VectorStoreFileStatus | undefined,
    ) {
      await findRecord(projectId, vectorStoreId, batchId);
      return store.vectorStoreFiles.list(projectId, vectorStoreId, page, {
        batchId,
        ...(filter === undefined ? {} : { status: filter }),
      });
    },
  };
}

export type FileBatchesService = ReturnType<typeof createFileBatchesService>;

/** The files of a vector store: add, list, retrieve, update attributes, remove, and parsed content. */
import { nowSeconds } from '../../../domain/clock.ts';
import { InvalidRequestError, NotFoundError, UnavailableError } from '../../../domain/errors.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import type { VectorStoreFile, VectorStoreFileStatus } from '../../../domain/vector-store.ts';
import type { Store } from '../../../storage/store.ts';
import { attachFiles } from '../attach-files.ts';
import type { VectorStoreFileCreateParams } from './vector-store-files.schemas.ts';

export interface VectorStoreFilesServiceOptions {
  store: Store;
  onFilesQueued: () => void;
  /** The file's text as file search parsed it (throws a `DocumentError` when it has none). */
  readText: (projectId: string, fileId: string) => Promise<string>;
}

/** Throws the 404 for a vector store that is not in the project. */
export async function requireVectorStore(
  store: Store,
  projectId: string,
  vectorStoreId: string,
): Promise<void> {
  if (!(await store.vectorStores.findRecord(projectId, vectorStoreId)))
    throw NotFoundError.object('vector store', vectorStoreId, 'vector_store_id');
}

export function createVectorStoreFilesService({
  store,
  onFilesQueued,
  readText,
}: VectorStoreFilesServiceOptions) {
  async function retrieve(
    projectId: string,
    vectorStoreId: string,
    fileId: string,
  ): Promise<VectorStoreFile> {
    const found = await store.vectorStoreFiles.find(projectId, vectorStoreId, fileId);
    if (found) return found;
    await requireVectorStore(store, projectId, vectorStoreId);
    throw new NotFoundError(
      `No file found with id '${fileId}' in vector store '${vectorStoreId}'.`,
      'file_id',
    );
  }

  return {
    retrieve,

    async create(
      projectId: string,
      vectorStoreId: string,
      params: VectorStoreFileCreateParams,
    ): Promise<VectorStoreFile> {
      const [attached] = await store.transaction(async (transaction) => {
        await requireVectorStore(transaction, projectId, vectorStoreId);
        return attachFiles(
          transaction,
          projectId,
          vectorStoreId,
          [
            {
              fileId: params.file_id,
              chunkingStrategy: params.chunking_strategy,
              attributes: params.attributes,
            },
          ],
          null,
          'file_id',
        );
      });
      onFilesQueued();
      return attached!;
    },

    async list(
      projectId: string,
      vectorStoreId: string,
      page: PageParams,
      filter: VectorStoreFileStatus | undefined,
    ) {
      await requireVectorStore(store, projectId, vectorStoreId);
      return store.vectorStoreFiles.list(
        projectId,
        vectorStoreId,
        page,
        filter === undefined ? {} : { status: filter },
      );
    },

    async update(
      projectId: string,
      vectorStoreId: string,
      fileId: string,
      attributes: VectorStoreFile['attributes'] | null,
    ) {
      await retrieve(projectId, vectorStoreId, fileId);
      await store.vectorStoreFiles.updateAttributes(
        projectId,
        vectorStoreId,
        fileId,
        attributes ?? {},
      );
      return retrieve(projectId, vectorStoreId, fileId);
    },

    async delete(projectId: string, vectorStoreId: string, fileId: string) {
      await retrieve(projectId, vectorStoreId, fileId);
      await store.vectorStoreFiles.delete(projectId, vectorStoreId, fileId);
      return { id: fileId, object: 'vector_store.file.deleted' as const, deleted: true };
    },

    async content(projectId: string, vectorStoreId: string, fileId: string) {
      await retrieve(projectId, vectorStoreId, fileId);
      let text: string;
      try {
        text = await readText(projectId, fileId);
      } catch (error) {
        // Bytes lost (404 file_content_missing) or a store down (503) answer as the file download does.
        if (error instanceof NotFoundError || error instanceof UnavailableError) throw error;
        throw new InvalidRequestError(
          `The content of file '${fileId}' is not available: ${(error as Error).message}`,
          'file_id',
        );
      }
      await store.vectorStores.touch(projectId, vectorStoreId, nowSeconds());
      return {
        object: 'vector_store.file_content.page' as const,
        data: [{ type: 'text' as const, text }],
        has_more: false,
        next_page: null,
      };
    },
  };
}

export type VectorStoreFilesService = ReturnType<typeof createVectorStoreFilesService>;

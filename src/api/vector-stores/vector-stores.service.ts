/** Vector stores: create (optionally with files), retrieve, update, delete, list, and search. */
import { nowSeconds } from '../../domain/clock.ts';
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { PageParams } from '../../domain/list-page.ts';
import type { VectorStore, VectorStoreRecord } from '../../domain/vector-store.ts';
import type { Store } from '../../storage/store.ts';
import type { FileSearch } from '../../tools/file-search.ts';
import { attachFiles, type ChunkingStrategyInput } from './attach-files.ts';
import type {
  VectorStoreCreateParams,
  VectorStoreSearchParams,
  VectorStoreUpdateParams,
} from './vector-stores.schemas.ts';

export interface VectorStoresServiceOptions {
  store: Store;
  search: FileSearch;
  /** `rewrite_query`: turns a natural-language query into the query that is searched. */
  rewriteQuery: (query: string) => string;
  /** Called after files were queued for ingestion and the transaction committed. */
  onFilesQueued: () => void;
}

/** What the `vector_stores` helpers of assistants and threads create. */
export interface VectorStoreSeed {
  fileIds: string[];
  chunkingStrategy?: ChunkingStrategyInput | undefined;
  metadata?: Record<string, string> | null | undefined;
  name?: string | undefined;
  expiresAfter?: VectorStoreRecord['expires_after'];
}

/** Creates a vector store with its files inside the caller's transaction; returns its id. */
export async function createVectorStoreIn(
  transaction: Store,
  projectId: string,
  seed: VectorStoreSeed,
  param: string,
): Promise<string> {
  const now = nowSeconds();
  const record: VectorStoreRecord = {
    id: newId('vectorStore'),
    created_at: now,
    name: seed.name ?? null,
    description: null,
    metadata: seed.metadata ?? {},
    expires_after: seed.expiresAfter ?? null,
    last_active_at: now,
  };
  await transaction.vectorStores.insert(projectId, record);
  const files = seed.fileIds.map((fileId) => ({ fileId, chunkingStrategy: seed.chunkingStrategy }));
  await attachFiles(transaction, projectId, record.id, files, null, param);
  return record.id;
}

export function createVectorStoresService({
  store,
  search,
  rewriteQuery,
  onFilesQueued,
}: VectorStoresServiceOptions) {
  async function retrieve(projectId: string, vectorStoreId: string): Promise<VectorStore> {
    const found = await store.vectorStores.find(projectId, vectorStoreId, nowSeconds());
    if (!found) throw NotFoundError.object('vector store', vectorStoreId, 'vector_store_id');
    return found;
  }

  return {
    retrieve,

    async create(projectId: string, params: VectorStoreCreateParams): Promise<VectorStore> {
      const id = await store.transaction(async (transaction) => {
        const created = await createVectorStoreIn(
          transaction,
          projectId,
          {
            fileIds: params.file_ids ?? [],
            chunkingStrategy: params.chunking_strategy,
            metadata: params.metadata,
            name: params.name,
            expiresAfter: params.expires_after ?? null,
          },
          'file_ids',
        );
        if (params.description !== undefined) {
          const record = (await transaction.vectorStores.findRecord(projectId, created))!;
          await transaction.vectorStores.update(projectId, {
            ...record,
            description: params.description,
          });
        }
        return created;
      });
      if ((params.file_ids ?? []).length > 0) onFilesQueued();
      return retrieve(projectId, id);
    },

    async update(
      projectId: string,
      vectorStoreId: string,
      params: VectorStoreUpdateParams,
    ): Promise<VectorStore> {
      const current = await store.vectorStores.findRecord(projectId, vectorStoreId);
      if (!current) throw NotFoundError.object('vector store', vectorStoreId, 'vector_store_id');
      const updated: VectorStoreRecord = {
        ...current,
        ...(params.name !== undefined ? { name: params.name } : {}),
        ...(params.expires_after !== undefined ? { expires_after: params.expires_after } : {}),
        metadata: params.metadata !== undefined ? (params.metadata ?? {}) : current.metadata,
      };
      if (!(await store.vectorStores.update(projectId, updated)))
        throw NotFoundError.object('vector store', vectorStoreId, 'vector_store_id');
      return retrieve(projectId, vectorStoreId);
    },

    async delete(projectId: string, vectorStoreId: string) {
      if (!(await store.vectorStores.delete(projectId, vectorStoreId))) {
        throw NotFoundError.object('vector store', vectorStoreId, 'vector_store_id');
      }
      return { id: vectorStoreId, object: 'vector_store.deleted' as const, deleted: true };
    },

    list(projectId: string, page: PageParams) {
      return store.vectorStores.list(projectId, page, nowSeconds());
    },

    async search(projectId: string, vectorStoreId: string, params: VectorStoreSearchParams) {
      const vectorStore = await retrieve(projectId, vectorStoreId);
      if (vectorStore.status === 'expired') {
        throw new InvalidRequestError(
          `Vector store ${vectorStoreId} has expired; it can no longer be searched.`,
          'vector_store_id',
        );
      }
      const queries = Array.isArray(params.query) ? params.query : [params.query];
      const searchQuery = params.rewrite_query ? queries.map(rewriteQuery) : queries;
      const data = await search({
        projectId,
        vectorStoreIds: [vectorStoreId],
        query: searchQuery,
        maxNumResults: params.max_num_results ?? 10,
        scoreThreshold: params.ranking_options?.score_threshold ?? 0,
        ranker: params.ranking_options?.ranker ?? 'auto',
        filters: params.filters,
      });
      return {
        object: 'vector_store.search_results.page' as const,
        search_query: searchQuery,
        data: data.map(({ file_id, filename, score, attributes, content }) => ({
          file_id,
          filename,
          score,
          attributes,
          content,
        })),
        has_more: false,
        next_page: null,
      };
    },
  };
}

export type VectorStoresService = ReturnType<typeof createVectorStoresService>;

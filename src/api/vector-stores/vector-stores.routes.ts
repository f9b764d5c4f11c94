/** `/v1/vector_stores` and `/v1/vector_stores/{id}/search` */
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { deletedSchema, listSchema, pageOf } from '../shared/common.schemas.ts';
import {
  SearchResultsPageSchema,
  VectorStoreCreateParamsSchema,
  VectorStoreListQuerySchema,
  VectorStorePathSchema,
  VectorStoreSchema,
  VectorStoreSearchParamsSchema,
  VectorStoreUpdateParamsSchema,
} from './vector-stores.schemas.ts';
import type { VectorStoresService } from './vector-stores.service.ts';

/** Tells the SDK's poll helpers to look again soon instead of after their 5 s default. */
export const POLL_AFTER_MILLISECONDS = '250';

export function vectorStoresRoutes(vectorStores: VectorStoresService): RouteDefinition[] {
  const tag = 'Vector stores';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/vector_stores',
      operationId: 'createVectorStore',
      summary: 'Create a vector store',
      tag,
      body: VectorStoreCreateParamsSchema,
      response: VectorStoreSchema,
      handler: ({ projectId, body }) => vectorStores.create(projectId, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/vector_stores',
      operationId: 'listVectorStores',
      summary: 'List vector stores',
      tag,
      query: VectorStoreListQuerySchema,
      response: listSchema(VectorStoreSchema),
      handler: ({ projectId, query }) => vectorStores.list(projectId, pageOf(query)),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/vector_stores/:vector_store_id',
      operationId: 'getVectorStore',
      summary: 'Retrieve a vector store',
      tag,
      params: VectorStorePathSchema,
      response: VectorStoreSchema,
      handler: ({ projectId, params, reply }) => {
        reply.header('openai-poll-after-ms', POLL_AFTER_MILLISECONDS);
        return vectorStores.retrieve(projectId, params.vector_store_id);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/vector_stores/:vector_store_id',
      operationId: 'modifyVectorStore',
      summary: 'Modify a vector store',
      tag,
      params: VectorStorePathSchema,
      body: VectorStoreUpdateParamsSchema,
      response: VectorStoreSchema,
      handler: ({ projectId, params, body }) =>
        vectorStores.update(projectId, params.vector_store_id, body),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/vector_stores/:vector_store_id',
      operationId: 'deleteVectorStore',
      summary: 'Delete a vector store',
      tag,
      params: VectorStorePathSchema,
      response: deletedSchema('vector_store.deleted'),
      handler: ({ projectId, params }) => vectorStores.delete(projectId, params.vector_store_id),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/vector_stores/:vector_store_id/search',
      operationId: 'searchVectorStore',
      summary:
        'Search a vector store (hybrid keyword + vector when an embedding model is configured)',
      tag,
      params: VectorStorePathSchema,
      body: VectorStoreSearchParamsSchema,
      response: SearchResultsPageSchema,
      handler: ({ projectId, params, body }) =>
        vectorStores.search(projectId, params.vector_store_id, body),
    }),
  ];
}

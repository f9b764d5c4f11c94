/** `/v1/vector_stores/{vector_store_id}/file_batches` */
import { defineRoute, type RouteDefinition } from '../../../http/route.ts';
import { listSchema, pageOf } from '../../shared/common.schemas.ts';
import { VectorStoreFileSchema } from '../files/vector-store-files.schemas.ts';
import { POLL_AFTER_MILLISECONDS } from '../vector-stores.routes.ts';
import { VectorStorePathSchema } from '../vector-stores.schemas.ts';
import {
  FileBatchCreateParamsSchema,
  FileBatchFilesQuerySchema,
  FileBatchPathSchema,
  FileBatchSchema,
} from './file-batches.schemas.ts';
import type { FileBatchesService } from './file-batches.service.ts';

export function fileBatchesRoutes(batches: FileBatchesService): RouteDefinition[] {
  const tag = 'Vector stores';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/vector_stores/:vector_store_id/file_batches',
      operationId: 'createVectorStoreFileBatch',
      summary: 'Add a batch of files to a vector store',
      tag,
      params: VectorStorePathSchema,
      body: FileBatchCreateParamsSchema,
      response: FileBatchSchema,
      handler: ({ projectId, params, body }) =>
        batches.create(projectId, params.vector_store_id, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/vector_stores/:vector_store_id/file_batches/:batch_id',
      operationId: 'getVectorStoreFileBatch',
      summary: 'Retrieve a file batch',
      tag,
      params: FileBatchPathSchema,
      response: FileBatchSchema,
      handler: ({ projectId, params, reply }) => {
        reply.header('openai-poll-after-ms', POLL_AFTER_MILLISECONDS);
        return batches.retrieve(projectId, params.vector_store_id, params.batch_id);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/vector_stores/:vector_store_id/file_batches/:batch_id/cancel',
      operationId: 'cancelVectorStoreFileBatch',
      summary: 'Cancel the files of a batch that are not indexed yet',
      tag,
      params: FileBatchPathSchema,
      response: FileBatchSchema,
      handler: ({ projectId, params }) =>
        batches.cancel(projectId, params.vector_store_id, params.batch_id),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/vector_stores/:vector_store_id/file_batches/:batch_id/files',
      operationId: 'listFilesInVectorStoreBatch',
      summary: 'List the files of a batch',
      tag,
      params: FileBatchPathSchema,
      query: FileBatchFilesQuerySchema,
      response: listSchema(VectorStoreFileSchema),
      handler: ({ projectId, params, query }) =>
        batches.listFiles(
          projectId,
          params.vector_store_id,
          params.batch_id,
          pageOf(query),
          query.filter,
        ),
    }),
  ];
}

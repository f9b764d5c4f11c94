/** `/v1/vector_stores/{vector_store_id}/files` */
import { defineRoute, type RouteDefinition } from '../../../http/route.ts';
import { deletedSchema, listSchema, pageOf } from '../../shared/common.schemas.ts';
import { POLL_AFTER_MILLISECONDS } from '../vector-stores.routes.ts';
import { VectorStorePathSchema } from '../vector-stores.schemas.ts';
import {
  FileContentPageSchema,
  VectorStoreFileCreateParamsSchema,
  VectorStoreFileListQuerySchema,
  VectorStoreFilePathSchema,
  VectorStoreFileSchema,
  VectorStoreFileUpdateParamsSchema,
} from './vector-store-files.schemas.ts';
import type { VectorStoreFilesService } from './vector-store-files.service.ts';

export function vectorStoreFilesRoutes(files: VectorStoreFilesService): RouteDefinition[] {
  const tag = 'Vector stores';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/vector_stores/:vector_store_id/files',
      operationId: 'createVectorStoreFile',
      summary: 'Add a file to a vector store',
      tag,
      params: VectorStorePathSchema,
      body: VectorStoreFileCreateParamsSchema,
      response: VectorStoreFileSchema,
      handler: ({ projectId, params, body }) =>
        files.create(projectId, params.vector_store_id, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/vector_stores/:vector_store_id/files',
      operationId: 'listVectorStoreFiles',
      summary: 'List the files of a vector store',
      tag,
      params: VectorStorePathSchema,
      query: VectorStoreFileListQuerySchema,
      response: listSchema(VectorStoreFileSchema),
      handler: ({ projectId, params, query }) =>
        files.list(projectId, params.vector_store_id, pageOf(query), query.filter),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/vector_stores/:vector_store_id/files/:file_id',
      operationId: 'getVectorStoreFile',
      summary: 'Retrieve a vector store file',
      tag,
      params: VectorStoreFilePathSchema,
      response: VectorStoreFileSchema,
      handler: ({ projectId, params, reply }) => {
        reply.header('openai-poll-after-ms', POLL_AFTER_MILLISECONDS);
        return files.retrieve(projectId, params.vector_store_id, params.file_id);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/vector_stores/:vector_store_id/files/:file_id',
      operationId: 'updateVectorStoreFileAttributes',
      summary: 'Update the attributes of a vector store file',
      tag,
      params: VectorStoreFilePathSchema,
      body: VectorStoreFileUpdateParamsSchema,
      response: VectorStoreFileSchema,
      handler: ({ projectId, params, body }) =>
        files.update(projectId, params.vector_store_id, params.file_id, body.attributes),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/vector_stores/:vector_store_id/files/:file_id',
      operationId: 'deleteVectorStoreFile',
      summary: 'Remove a file from a vector store (the file itself stays)',
      tag,
      params: VectorStoreFilePathSchema,
      response: deletedSchema('vector_store.file.deleted'),
      handler: ({ projectId, params }) =>
        files.delete(projectId, params.vector_store_id, params.file_id),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/vector_stores/:vector_store_id/files/:file_id/content',
      operationId: 'retrieveVectorStoreFileContent',
      summary: 'The parsed text of a vector store file',
      tag,
      params: VectorStoreFilePathSchema,
      response: FileContentPageSchema,
      handler: ({ projectId, params }) =>
        files.content(projectId, params.vector_store_id, params.file_id),
    }),
  ];
}

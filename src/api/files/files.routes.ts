/** `/v1/files` */
// The type import also brings in @fastify/multipart's `isMultipart` / `parts` request augmentation.
import type { Multipart } from '@fastify/multipart';
import { InvalidRequestError } from '../../domain/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { listSchema, pageOf } from '../shared/common.schemas.ts';
import {
  FileDeletedSchema,
  FileListQuerySchema,
  FilePathSchema,
  FileSchema,
} from './files.schemas.ts';
import type { FilesService, UploadPart } from './files.service.ts';

/** `attachment` with the filename in RFC 5987 form, so any name survives the header. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function filesRoutes(files: FilesService): RouteDefinition[] {
  const tag = 'Files';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/files',
      operationId: 'createFile',
      summary:
        'Upload a file (multipart/form-data: file, purpose, expires_after[anchor], expires_after[seconds])',
      tag,
      response: FileSchema,
      handler: ({ projectId, request }) => {
        if (!request.isMultipart()) {
          throw new InvalidRequestError(
            'File uploads must be sent as multipart/form-data with a `file` part and a `purpose` field.',
          );
        }
        const parts: AsyncIterable<Multipart> = request.parts();
        return files.create(projectId, parts as AsyncIterable<UploadPart>);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/files',
      operationId: 'listFiles',
      summary: 'List files',
      tag,
      query: FileListQuerySchema,
      response: listSchema(FileSchema),
      handler: ({ projectId, query }) => files.list(projectId, pageOf(query), query.purpose),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/files/:file_id',
      operationId: 'retrieveFile',
      summary: 'Retrieve a file',
      tag,
      params: FilePathSchema,
      response: FileSchema,
      handler: ({ projectId, params }) => files.retrieve(projectId, params.file_id),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/files/:file_id',
      operationId: 'deleteFile',
      summary: 'Delete a file (and detach it from every vector store)',
      tag,
      params: FilePathSchema,
      response: FileDeletedSchema,
      handler: ({ projectId, params }) => files.delete(projectId, params.file_id),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/files/:file_id/content',
      operationId: 'downloadFile',
      summary: 'Retrieve the bytes of a file',
      tag,
      params: FilePathSchema,
      handler: async ({ projectId, params, reply }) => {
        const { file, contentType, stream } = await files.content(projectId, params.file_id);
        return reply
          .type(contentType)
          .header('content-length', String(file.bytes))
          .header('content-disposition', contentDisposition(file.filename))
          .send(stream);
      },
    }),
  ];
}

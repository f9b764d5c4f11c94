/** `/v1/files` */
// The type import also brings in @fastify/multipart's `isMultipart` / `parts` request augmentation.
import type { Multipart } from '@fastify/multipart';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ApiError, UnsupportedMediaTypeError, InvalidRequestError } from '../../domain/errors.ts';
import { clientWentAway } from '../../http/error-handler.ts';
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
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * An error of the multipart body itself (malformed, cut short, the client gone) is the client's: a 400
 * naming it, never a 500. Errors that already carry a status (size and part limits) keep it.
 */
function asRequestError(error: unknown): unknown {
  if (
    error instanceof ApiError ||
    typeof (error as { statusCode?: unknown }).statusCode === 'number'
  )
    return error;
  return new InvalidRequestError(
    `The multipart/form-data body could not be read: ${(error as Error).message}.`,
    null,
    'invalid_multipart',
  );
}

/** The file's bytes, failing with `asRequestError` when the body breaks off mid-file. */
function fileBytes(file: Readable): Readable {
  async function* bytes() {
    try {
      for await (const chunk of file) yield chunk as Buffer;
    } catch (error) {
      throw asRequestError(error);
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}

/**
 * The upload's parts. A body that ends without its closing boundary (the client closed the
 * connection) is refused rather than read as a complete form, so nothing partial is stored.
 */
export async function* uploadParts(request: FastifyRequest): AsyncIterable<UploadPart> {
  try {
    for await (const part of request.parts() as AsyncIterable<Multipart>) {
      yield part.type === 'file'
        ? {
            type: 'file',
            fieldname: part.fieldname,
            filename: part.filename,
            mimetype: part.mimetype,
            file: fileBytes(part.file),
          }
        : { type: 'field', fieldname: part.fieldname, value: part.value };
    }
  } catch (error) {
    throw asRequestError(error);
  }
  if (clientWentAway(request))
    throw new InvalidRequestError(
      'The request ended before its multipart/form-data body was complete.',
      null,
      'invalid_multipart',
    );
}

export function filesRoutes(files: FilesService): RouteDefinition[] {
  const tag = 'Files';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/files',
      uploads: true,
      operationId: 'createFile',
      summary:
        'Upload a file (multipart/form-data: file, purpose, expires_after[anchor], expires_after[seconds])',
      tag,
      response: FileSchema,
      handler: ({ projectId, principal, request }) => {
        if (!request.isMultipart()) {
          throw new UnsupportedMediaTypeError(
            'File uploads must be sent as multipart/form-data with a `file` part and a `purpose` field.',
          );
        }
        return files.create(projectId, uploadParts(request), principal.keyId);
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

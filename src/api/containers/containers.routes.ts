/** `/v1/containers` and `/v1/containers/{id}/files` (+ `/content`). */
import { InvalidRequestError } from '../../domain/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { parseOrThrow } from '../../http/validation.ts';
import { contentDisposition, uploadParts } from '../files/files.routes.ts';
import { deletedSchema, listSchema, pageOf } from '../shared/common.schemas.ts';
import {
  ContainerCreateSchema,
  ContainerFileCreateDocumentSchema,
  ContainerFileFromFileSchema,
  ContainerFilePathSchema,
  ContainerFileSchema,
  ContainerListQuerySchema,
  ContainerPathSchema,
  ContainerSchema,
} from './containers.schemas.ts';
import type { ContainersService, ContainerUpload } from './containers.service.ts';

export function containersRoutes(containers: ContainersService): RouteDefinition[] {
  const tag = 'Containers';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/containers',
      operationId: 'CreateContainer',
      summary: 'Create a container (a code_interpreter sandbox), optionally with files copied in',
      tag,
      body: ContainerCreateSchema,
      response: ContainerSchema,
      handler: ({ projectId, body }) => containers.create(projectId, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/containers',
      operationId: 'ListContainers',
      summary: 'List containers',
      tag,
      query: ContainerListQuerySchema,
      response: listSchema(ContainerSchema),
      handler: ({ projectId, query }) => containers.list(projectId, pageOf(query), query.name),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/containers/:container_id',
      operationId: 'RetrieveContainer',
      summary: 'Retrieve a container',
      tag,
      params: ContainerPathSchema,
      response: ContainerSchema,
      handler: ({ projectId, params }) => containers.retrieve(projectId, params.container_id),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/containers/:container_id',
      operationId: 'DeleteContainer',
      summary: 'Delete a container, its files and its sandbox session',
      tag,
      params: ContainerPathSchema,
      response: deletedSchema('container.deleted'),
      handler: ({ projectId, params }) => containers.delete(projectId, params.container_id),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/containers/:container_id/files',
      uploads: true,
      operationId: 'CreateContainerFile',
      summary:
        'Add a file to a container: multipart/form-data with a `file` part, or JSON `{file_id}`',
      tag,
      params: ContainerPathSchema,
      documentedBody: ContainerFileCreateDocumentSchema,
      response: ContainerFileSchema,
      handler: async ({ projectId, params, request }) => {
        if (!request.isMultipart()) {
          const body = parseOrThrow(ContainerFileFromFileSchema, request.body ?? {}, 'body');
          return containers.createFileFromFile(projectId, params.container_id, body.file_id);
        }
        let created: unknown;
        for await (const part of uploadParts(request)) {
          if (part.type === 'field')
            throw new InvalidRequestError(
              `Unexpected form field '${part.fieldname}'; send only the file.`,
              part.fieldname,
            );
          if (part.fieldname !== 'file' || created !== undefined)
            throw new InvalidRequestError('Upload exactly one file, as `file`.', part.fieldname);
          const upload: ContainerUpload = { filename: part.filename, file: part.file };
          created = await containers.createFileFromUpload(projectId, params.container_id, upload);
        }
        if (created === undefined)
          throw new InvalidRequestError("Missing required parameter: 'file'.", 'file');
        return created;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/containers/:container_id/files',
      operationId: 'ListContainerFiles',
      summary: 'List the files of a container',
      tag,
      params: ContainerPathSchema,
      query: ContainerListQuerySchema.omit({ name: true }),
      response: listSchema(ContainerFileSchema),
      handler: ({ projectId, params, query }) =>
        containers.listFiles(projectId, params.container_id, pageOf(query)),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/containers/:container_id/files/:file_id',
      operationId: 'RetrieveContainerFile',
      summary: 'Retrieve a container file',
      tag,
      params: ContainerFilePathSchema,
      response: ContainerFileSchema,
      handler: ({ projectId, params }) =>
        containers.retrieveFile(projectId, params.container_id, params.file_id),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/containers/:container_id/files/:file_id',
      operationId: 'DeleteContainerFile',
      summary: 'Delete a container file',
      tag,
      params: ContainerFilePathSchema,
      response: deletedSchema('container.file.deleted'),
      handler: ({ projectId, params }) =>
        containers.deleteFile(projectId, params.container_id, params.file_id),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/containers/:container_id/files/:file_id/content',
      operationId: 'RetrieveContainerFileContent',
      summary: 'Retrieve the bytes of a container file',
      tag,
      params: ContainerFilePathSchema,
      handler: async ({ projectId, params, reply }) => {
        const { file, contentType, stream } = await containers.fileContent(
          projectId,
          params.container_id,
          params.file_id,
        );
        return reply
          .type(contentType)
          .header('content-length', String(file.bytes))
          .header('content-disposition', contentDisposition(file.path.split('/').pop()!))
          .send(stream);
      },
    }),
  ];
}

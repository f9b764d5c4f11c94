/** `/v1/organization/projects/{project_id}/api_keys` (admin key only). */
import { defineRoute, type RouteDefinition } from '../../../../http/route.ts';
import { deletedSchema, listSchema, pageOf } from '../../../shared/common.schemas.ts';
import {
  ApiKeyCreateParamsSchema,
  ApiKeyListQuerySchema,
  ApiKeyPathSchema,
  ApiKeySchema,
  ApiKeysPathSchema,
} from './api-keys.schemas.ts';
import type { ApiKeysService } from './api-keys.service.ts';

export function apiKeysRoutes(apiKeys: ApiKeysService): RouteDefinition[] {
  const common = { tag: 'Projects', access: 'admin' as const, extension: true };
  return [
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/organization/projects/:project_id/api_keys',
      operationId: 'createProjectApiKey',
      summary: 'Create a project API key (the value is returned only here)',
      params: ApiKeysPathSchema,
      body: ApiKeyCreateParamsSchema,
      response: ApiKeySchema,
      handler: ({ params, body }) => apiKeys.create(params.project_id, body.name),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/projects/:project_id/api_keys',
      operationId: 'listProjectApiKeys',
      summary: 'List project API keys',
      params: ApiKeysPathSchema,
      query: ApiKeyListQuerySchema,
      response: listSchema(ApiKeySchema),
      handler: ({ params, query }) => apiKeys.list(params.project_id, pageOf(query)),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/projects/:project_id/api_keys/:key_id',
      operationId: 'retrieveProjectApiKey',
      summary: 'Retrieve a project API key',
      params: ApiKeyPathSchema,
      response: ApiKeySchema,
      handler: ({ params }) => apiKeys.retrieve(params.project_id, params.key_id),
    }),
    defineRoute({
      ...common,
      method: 'DELETE',
      path: '/v1/organization/projects/:project_id/api_keys/:key_id',
      operationId: 'deleteProjectApiKey',
      summary: 'Delete a project API key',
      params: ApiKeyPathSchema,
      response: deletedSchema('organization.project.api_key.deleted'),
      handler: ({ params }) => apiKeys.delete(params.project_id, params.key_id),
    }),
  ];
}

/** `/v1/organization/projects/{project_id}[/api_keys/{key_id}]/limits` (admin key only). */
import { defineRoute, type RouteDefinition } from '../../../../http/route.ts';
import {
  KeyLimitsPathSchema,
  LimitsObjectSchema,
  LimitsUpdateParamsSchema,
  ProjectLimitsPathSchema,
} from './limits.schemas.ts';
import type { LimitsService } from './limits.service.ts';

export function limitsRoutes(limits: LimitsService): RouteDefinition[] {
  const common = {
    tag: 'Projects',
    access: 'admin' as const,
    extension: true,
    response: LimitsObjectSchema,
  };
  return [
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/projects/:project_id/limits',
      operationId: 'retrieveProjectLimits',
      summary: "Retrieve a project's limits",
      params: ProjectLimitsPathSchema,
      handler: ({ params }) => limits.retrieve(params.project_id, null),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/organization/projects/:project_id/limits',
      operationId: 'modifyProjectLimits',
      summary: "Set a project's limits (null: the configured default)",
      params: ProjectLimitsPathSchema,
      body: LimitsUpdateParamsSchema,
      handler: ({ params, body }) => limits.update(params.project_id, null, body),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/projects/:project_id/api_keys/:key_id/limits',
      operationId: 'retrieveProjectApiKeyLimits',
      summary: "Retrieve an API key's limits",
      params: KeyLimitsPathSchema,
      handler: ({ params }) => limits.retrieve(params.project_id, params.key_id),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/organization/projects/:project_id/api_keys/:key_id/limits',
      operationId: 'modifyProjectApiKeyLimits',
      summary: "Set an API key's limits (null: the configured default)",
      params: KeyLimitsPathSchema,
      body: LimitsUpdateParamsSchema,
      handler: ({ params, body }) => limits.update(params.project_id, params.key_id, body),
    }),
  ];
}

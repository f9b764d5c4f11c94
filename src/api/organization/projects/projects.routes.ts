/** `/v1/organization/projects` (admin key only). */
import { defineRoute, type RouteDefinition } from '../../../http/route.ts';
import { listSchema, pageOf } from '../../shared/common.schemas.ts';
import {
  ProjectCreateParamsSchema,
  ProjectListQuerySchema,
  ProjectPathSchema,
  ProjectSchema,
  ProjectUpdateParamsSchema,
} from './projects.schemas.ts';
import type { ProjectsService } from './projects.service.ts';

export function projectsRoutes(projects: ProjectsService): RouteDefinition[] {
  const common = { tag: 'Projects', access: 'admin' as const, extension: true };
  return [
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/projects',
      operationId: 'listProjects',
      summary: 'List projects',
      query: ProjectListQuerySchema,
      response: listSchema(ProjectSchema),
      handler: ({ query }) => projects.list(pageOf(query), query.include_archived === 'true'),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/organization/projects',
      operationId: 'createProject',
      summary: 'Create a project',
      body: ProjectCreateParamsSchema,
      response: ProjectSchema,
      handler: ({ body }) => projects.create(body.name),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/projects/:project_id',
      operationId: 'retrieveProject',
      summary: 'Retrieve a project',
      params: ProjectPathSchema,
      response: ProjectSchema,
      handler: ({ params }) => projects.retrieve(params.project_id),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/organization/projects/:project_id',
      operationId: 'modifyProject',
      summary: 'Rename a project',
      params: ProjectPathSchema,
      body: ProjectUpdateParamsSchema,
      response: ProjectSchema,
      handler: ({ params, body }) => projects.update(params.project_id, body.name),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/organization/projects/:project_id/archive',
      operationId: 'archiveProject',
      summary: 'Archive a project; its keys stop working',
      params: ProjectPathSchema,
      response: ProjectSchema,
      handler: ({ params }) => projects.archive(params.project_id),
    }),
  ];
}

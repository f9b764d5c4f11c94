/** `/v1/assistants` */
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { deletedSchema, listSchema, pageOf } from '../shared/common.schemas.ts';
import {
  AssistantCreateParamsSchema,
  AssistantListQuerySchema,
  AssistantPathSchema,
  AssistantSchema,
  AssistantUpdateParamsSchema,
} from './assistants.schemas.ts';
import type { AssistantsService } from './assistants.service.ts';

/** Public view: `reasoning_effort` is request-only in OpenAI's Assistant object. */
function view<Item extends { reasoning_effort?: unknown }>(assistant: Item) {
  const { reasoning_effort, ...visible } = assistant;
  return visible;
}

export function assistantsRoutes(assistants: AssistantsService): RouteDefinition[] {
  const tag = 'Assistants';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/assistants',
      operationId: 'createAssistant',
      summary: 'Create an assistant',
      tag,
      body: AssistantCreateParamsSchema,
      response: AssistantSchema,
      handler: async ({ projectId, body }) => view(await assistants.create(projectId, body)),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/assistants',
      operationId: 'listAssistants',
      summary: 'List assistants',
      tag,
      query: AssistantListQuerySchema,
      response: listSchema(AssistantSchema),
      handler: async ({ projectId, query }) => {
        const page = await assistants.list(projectId, pageOf(query));
        return { ...page, data: page.data.map(view) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/assistants/:assistant_id',
      operationId: 'getAssistant',
      summary: 'Retrieve an assistant',
      tag,
      params: AssistantPathSchema,
      response: AssistantSchema,
      handler: async ({ projectId, params }) =>
        view(await assistants.retrieve(projectId, params.assistant_id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/assistants/:assistant_id',
      operationId: 'modifyAssistant',
      summary: 'Modify an assistant',
      tag,
      params: AssistantPathSchema,
      body: AssistantUpdateParamsSchema,
      response: AssistantSchema,
      handler: async ({ projectId, params, body }) =>
        view(await assistants.update(projectId, params.assistant_id, body)),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/assistants/:assistant_id',
      operationId: 'deleteAssistant',
      summary: 'Delete an assistant',
      tag,
      params: AssistantPathSchema,
      response: deletedSchema('assistant.deleted'),
      handler: ({ projectId, params }) => assistants.delete(projectId, params.assistant_id),
    }),
  ];
}

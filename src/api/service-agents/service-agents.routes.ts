/** `/v1/service_agents` and `/v1/service_agents/actions` (Concierge extensions). */
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { deletedSchema, pageOf } from '../shared/common.schemas.ts';
import {
  ActionApprovalParamsSchema,
  ActionListQuerySchema,
  ActionPathSchema,
  ActionResolutionParamsSchema,
  ServiceAgentCreateParamsSchema,
  ServiceAgentListQuerySchema,
  ServiceAgentPathSchema,
  ServiceAgentSchema,
  ServiceAgentUpdateParamsSchema,
} from './service-agents.schemas.ts';
import type { ServiceAgentsService } from './service-agents.service.ts';

export function serviceAgentsRoutes(serviceAgents: ServiceAgentsService): RouteDefinition[] {
  const common = { tag: 'Service agents', extension: true };
  return [
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/service_agents',
      operationId: 'createServiceAgent',
      summary: 'Create a service agent (builtin, assistant or a2a)',
      body: ServiceAgentCreateParamsSchema,
      response: ServiceAgentSchema,
      handler: ({ projectId, body }) => serviceAgents.create(projectId, body),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/service_agents',
      operationId: 'listServiceAgents',
      summary: 'List service agents',
      query: ServiceAgentListQuerySchema,
      handler: ({ projectId, query }) => serviceAgents.list(projectId, pageOf(query)),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/service_agents/actions',
      operationId: 'listServiceAgentActions',
      summary:
        'The audit log: every proposal, decision and execution (filter by run_id, service_agent_id, status)',
      query: ActionListQuerySchema,
      handler: ({ projectId, query }) =>
        serviceAgents.listActions(projectId, pageOf(query), {
          ...(query.run_id !== undefined ? { runId: query.run_id } : {}),
          ...(query.service_agent_id !== undefined
            ? { serviceAgentId: query.service_agent_id }
            : {}),
          ...(query.status !== undefined ? { status: query.status } : {}),
        }),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/service_agents/actions/:action_id',
      operationId: 'getServiceAgentAction',
      summary: 'Retrieve an action of the audit log',
      params: ActionPathSchema,
      handler: ({ projectId, params }) => serviceAgents.retrieveAction(projectId, params.action_id),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/service_agents/actions/:action_id/approval',
      operationId: 'answerServiceAgentAction',
      summary:
        'Approve or decline an action proposed outside a run (over MCP); an approved action is executed at once',
      params: ActionPathSchema,
      body: ActionApprovalParamsSchema,
      handler: ({ projectId, params, body, principal }) =>
        serviceAgents.answerAction(projectId, params.action_id, body, principal.keyId),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/service_agents/actions/:action_id/resolution',
      operationId: 'resolveServiceAgentAction',
      summary:
        'Resolve an action in needs_review after checking with the provider: succeeded (spent) or failed (released)',
      params: ActionPathSchema,
      body: ActionResolutionParamsSchema,
      handler: ({ projectId, params, body, principal }) =>
        serviceAgents.resolveAction(projectId, params.action_id, body, principal.keyId),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/service_agents/:service_agent_id',
      operationId: 'getServiceAgent',
      summary: 'Retrieve a service agent',
      params: ServiceAgentPathSchema,
      response: ServiceAgentSchema,
      handler: ({ projectId, params }) =>
        serviceAgents.retrieve(projectId, params.service_agent_id),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      path: '/v1/service_agents/:service_agent_id',
      operationId: 'modifyServiceAgent',
      summary: 'Modify a service agent (name, description, input schema, policy, metadata)',
      params: ServiceAgentPathSchema,
      body: ServiceAgentUpdateParamsSchema,
      response: ServiceAgentSchema,
      handler: ({ projectId, params, body }) =>
        serviceAgents.update(projectId, params.service_agent_id, body),
    }),
    defineRoute({
      ...common,
      method: 'DELETE',
      path: '/v1/service_agents/:service_agent_id',
      operationId: 'deleteServiceAgent',
      summary: 'Delete a service agent',
      params: ServiceAgentPathSchema,
      response: deletedSchema('service_agent.deleted'),
      handler: ({ projectId, params }) => serviceAgents.delete(projectId, params.service_agent_id),
    }),
  ];
}

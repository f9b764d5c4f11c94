/**
 * `/v1/organization/usage/{completions,code_interpreter_sessions,vector_stores}` and
 * `/v1/organization/costs` (admin key only, as OpenAI's).
 */
import { defineRoute, type RouteDefinition } from '../../../http/route.ts';
import {
  CostsPageSchema,
  CostsQuerySchema,
  UsageCompletionsPageSchema,
  UsageCodeInterpreterSessionsPageSchema,
  UsageCompletionsQuerySchema,
  UsageMeterQuerySchema,
  UsageVectorStoresPageSchema,
} from './usage.schemas.ts';
import type { UsageService } from './usage.service.ts';

export function usageRoutes(usage: UsageService): RouteDefinition[] {
  const common = { tag: 'Usage', access: 'admin' as const };
  return [
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/usage/completions',
      operationId: 'usage-completions',
      summary: 'Completions usage of the organization, in time buckets',
      query: UsageCompletionsQuerySchema,
      response: UsageCompletionsPageSchema,
      handler: ({ query }) => usage.completions(query),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/usage/code_interpreter_sessions',
      operationId: 'usage-code-interpreter-sessions',
      summary:
        'Code interpreter sessions opened and seconds executed (extension: usage_seconds), in time buckets',
      query: UsageMeterQuerySchema,
      response: UsageCodeInterpreterSessionsPageSchema,
      handler: ({ query }) => usage.codeInterpreterSessions(query),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/usage/vector_stores',
      operationId: 'usage-vector-stores',
      summary: 'Bytes of files stored at the end of each time bucket',
      query: UsageMeterQuerySchema,
      response: UsageVectorStoresPageSchema,
      handler: ({ query }) => usage.vectorStores(query),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      path: '/v1/organization/costs',
      operationId: 'usage-costs',
      summary: 'Costs of the organization, in day buckets, from the configured price table',
      query: CostsQuerySchema,
      response: CostsPageSchema,
      handler: ({ query }) => usage.costs(query),
    }),
  ];
}

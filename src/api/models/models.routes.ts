/** `GET /v1/models`: the configured providers' models, in OpenAI's list shape (an extension: we list only what the configuration names). */
import { z } from 'zod';
import type { ConfiguredProvider } from '../../config/config-schema.ts';
import { nowSeconds } from '../../domain/clock.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { listConfiguredModels } from './models.service.ts';

const ModelSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string(),
});
const ModelListSchema = z.object({ object: z.literal('list'), data: z.array(ModelSchema) });

export function modelsRoutes(providers: Record<string, ConfiguredProvider>): RouteDefinition[] {
  const models = listConfiguredModels(providers, nowSeconds());
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/models',
      operationId: 'listModels',
      summary:
        "List the models the configured providers name in their `models` arrays (not the upstreams' own lists)",
      tag: 'Models',
      extension: true,
      response: ModelListSchema,
      handler: async () => ({ object: 'list', data: models }),
    }),
  ];
}

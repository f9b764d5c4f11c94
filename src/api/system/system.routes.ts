/** `/health` and `/v1/openapi.json`: public, no key needed. */
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import type { Store } from '../../storage/store.ts';
import { DEFAULT_PROJECT_ID } from '../../domain/project.ts';
import { UnavailableError } from '../../domain/errors.ts';

export interface SystemRoutesOptions {
  store: Store;
  /** The OpenAPI document, built lazily from the full route list. */
  openApiDocument: () => unknown;
}

export function systemRoutes({ store, openApiDocument }: SystemRoutesOptions): RouteDefinition[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/health',
      operationId: 'health',
      summary: 'Liveness and database reachability',
      tag: 'System',
      access: 'public',
      extension: true,
      handler: async () => {
        try {
          await store.projects.find(DEFAULT_PROJECT_ID);
        } catch {
          throw new UnavailableError('The database is not reachable.');
        }
        return { status: 'ok' };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/openapi.json',
      operationId: 'openapi',
      summary: 'The OpenAPI document of this server',
      tag: 'System',
      access: 'public',
      extension: true,
      handler: async () => openApiDocument(),
    }),
  ];
}

/**
 * `GET /v1/me` (an extension): who the caller is to this server, so a client such as the playground can
 * show the project and key in use. It reveals nothing the caller's key does not already grant.
 */
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import type { Store } from '../../storage/store.ts';

const CallerSchema = z.object({
  object: z.literal('caller'),
  project: z.object({ id: z.string(), name: z.string() }),
  api_key: z.object({ id: z.string(), name: z.string(), redacted_value: z.string() }).nullable(),
  admin: z.boolean(),
  dev_mode: z.boolean(),
});

export interface MeRoutesOptions {
  store: Store;
  /** True when the server has no admin key: any bearer (or none) is accepted from loopback. */
  devMode: boolean;
}

export function meRoutes({ store, devMode }: MeRoutesOptions): RouteDefinition[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/me',
      operationId: 'retrieveCaller',
      summary:
        'The project and API key of the caller, whether it holds admin rights, and whether the server runs in dev mode',
      tag: 'Caller',
      extension: true,
      response: CallerSchema,
      handler: async ({ principal }) => {
        const project = await store.projects.find(principal.projectId);
        if (!project) throw NotFoundError.object('project', principal.projectId);
        const key = principal.keyId
          ? await store.apiKeys.find(principal.projectId, principal.keyId)
          : undefined;
        return {
          object: 'caller',
          project: { id: project.id, name: project.name },
          api_key: key ? { id: key.id, name: key.name, redacted_value: key.redacted_value } : null,
          admin: principal.admin,
          dev_mode: devMode,
        };
      },
    }),
  ];
}

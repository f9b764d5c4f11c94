/** `/v1/threads` */
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { deletedSchema } from '../shared/common.schemas.ts';
import {
  ThreadCreateParamsSchema,
  ThreadPathSchema,
  ThreadSchema,
  ThreadUpdateParamsSchema,
} from './threads.schemas.ts';
import type { ThreadsService } from './threads.service.ts';

export function threadsRoutes(threads: ThreadsService): RouteDefinition[] {
  const tag = 'Threads';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/threads',
      operationId: 'createThread',
      summary: 'Create a thread',
      tag,
      body: ThreadCreateParamsSchema,
      response: ThreadSchema,
      handler: ({ projectId, body }) => threads.create(projectId, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id',
      operationId: 'getThread',
      summary: 'Retrieve a thread',
      tag,
      params: ThreadPathSchema,
      response: ThreadSchema,
      handler: ({ projectId, params }) => threads.retrieve(projectId, params.thread_id),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/threads/:thread_id',
      operationId: 'modifyThread',
      summary: 'Modify a thread',
      tag,
      params: ThreadPathSchema,
      body: ThreadUpdateParamsSchema,
      response: ThreadSchema,
      handler: ({ projectId, params, body }) => threads.update(projectId, params.thread_id, body),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/threads/:thread_id',
      operationId: 'deleteThread',
      summary: 'Delete a thread',
      tag,
      params: ThreadPathSchema,
      response: deletedSchema('thread.deleted'),
      handler: ({ projectId, params }) => threads.delete(projectId, params.thread_id),
    }),
  ];
}

/** `/v1/threads/{thread_id}/messages` */
import { defineRoute, type RouteDefinition } from '../../../http/route.ts';
import { deletedSchema, listSchema, pageOf } from '../../shared/common.schemas.ts';
import {
  createMessageFastPath,
  idPathFastPath,
  listQueryFastPath,
} from '../../shared/fast-paths.ts';
import {
  MessageCreateParamsSchema,
  MessageListQuerySchema,
  MessagePathSchema,
  MessageSchema,
  MessageUpdateParamsSchema,
  ThreadPathSchema,
} from './messages.schemas.ts';
import type { MessagesService } from './messages.service.ts';

export function messagesRoutes(messages: MessagesService): RouteDefinition[] {
  const tag = 'Messages';
  // The conversation API's hottest pair (post a message, list the newest) skips zod for its usual shape.
  const threadPath = idPathFastPath({ thread_id: 'thread' });
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/threads/:thread_id/messages',
      operationId: 'createMessage',
      summary: 'Create a message',
      tag,
      params: ThreadPathSchema,
      body: MessageCreateParamsSchema,
      fastPaths: { params: threadPath, body: createMessageFastPath },
      response: MessageSchema,
      handler: ({ projectId, params, body }) => messages.create(projectId, params.thread_id, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id/messages',
      operationId: 'listMessages',
      summary: 'List messages',
      tag,
      params: ThreadPathSchema,
      query: MessageListQuerySchema,
      fastPaths: { params: threadPath, query: listQueryFastPath },
      response: listSchema(MessageSchema),
      handler: ({ projectId, params, query }) =>
        messages.list(projectId, params.thread_id, pageOf(query), query.run_id),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id/messages/:message_id',
      operationId: 'getMessage',
      summary: 'Retrieve a message',
      tag,
      params: MessagePathSchema,
      response: MessageSchema,
      handler: ({ projectId, params }) =>
        messages.retrieve(projectId, params.thread_id, params.message_id),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/threads/:thread_id/messages/:message_id',
      operationId: 'modifyMessage',
      summary: 'Modify a message',
      tag,
      params: MessagePathSchema,
      body: MessageUpdateParamsSchema,
      response: MessageSchema,
      handler: ({ projectId, params, body }) =>
        messages.update(projectId, params.thread_id, params.message_id, body),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/threads/:thread_id/messages/:message_id',
      operationId: 'deleteMessage',
      summary: 'Delete a message',
      tag,
      params: MessagePathSchema,
      response: deletedSchema('thread.message.deleted'),
      handler: ({ projectId, params }) =>
        messages.delete(projectId, params.thread_id, params.message_id),
    }),
  ];
}

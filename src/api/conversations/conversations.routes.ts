/** `/v1/conversations` */
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { deletedSchema } from '../shared/common.schemas.ts';
import {
  ConversationCreateParamsSchema,
  ConversationPathSchema,
  ConversationSchema,
  ConversationUpdateParamsSchema,
} from './conversations.schemas.ts';
import type { ConversationsService } from './conversations.service.ts';

export function conversationsRoutes(conversations: ConversationsService): RouteDefinition[] {
  const tag = 'Conversations';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/conversations',
      operationId: 'createConversation',
      summary: 'Create a conversation',
      tag,
      body: ConversationCreateParamsSchema,
      response: ConversationSchema,
      handler: ({ projectId, body }) => conversations.create(projectId, body),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/conversations/:conversation_id',
      operationId: 'getConversation',
      summary: 'Retrieve a conversation',
      tag,
      params: ConversationPathSchema,
      response: ConversationSchema,
      handler: ({ projectId, params }) => conversations.retrieve(projectId, params.conversation_id),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/conversations/:conversation_id',
      operationId: 'updateConversation',
      summary: 'Update a conversation',
      tag,
      params: ConversationPathSchema,
      body: ConversationUpdateParamsSchema,
      response: ConversationSchema,
      handler: ({ projectId, params, body }) =>
        conversations.update(projectId, params.conversation_id, body),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/conversations/:conversation_id',
      operationId: 'deleteConversation',
      summary: 'Delete a conversation',
      tag,
      params: ConversationPathSchema,
      response: deletedSchema('conversation.deleted'),
      handler: ({ projectId, params }) => conversations.delete(projectId, params.conversation_id),
    }),
  ];
}

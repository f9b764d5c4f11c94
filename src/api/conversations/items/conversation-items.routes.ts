/** `/v1/conversations/{conversation_id}/items` */
import { defineRoute, type RouteDefinition } from '../../../http/route.ts';
import { listSchema } from '../../shared/common.schemas.ts';
import { ConversationSchema } from '../conversations.schemas.ts';
import type { ConversationsService } from '../conversations.service.ts';
import {
  ConversationItemSchema,
  ConversationPathSchema,
  IncludeQuerySchema,
  ItemCreateParamsSchema,
  ItemListQuerySchema,
  ItemPathSchema,
} from './conversation-items.schemas.ts';

export function conversationItemsRoutes(conversations: ConversationsService): RouteDefinition[] {
  const tag = 'Conversations';
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/conversations/:conversation_id/items',
      operationId: 'createConversationItems',
      summary: 'Create items',
      tag,
      params: ConversationPathSchema,
      query: IncludeQuerySchema,
      body: ItemCreateParamsSchema,
      response: listSchema(ConversationItemSchema),
      handler: ({ projectId, params, body }) =>
        conversations.addItems(projectId, params.conversation_id, body.items),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/conversations/:conversation_id/items',
      operationId: 'listConversationItems',
      summary: 'List items',
      tag,
      params: ConversationPathSchema,
      query: ItemListQuerySchema,
      response: listSchema(ConversationItemSchema),
      handler: ({ projectId, params, query }) =>
        conversations.listItems(projectId, params.conversation_id, {
          limit: query.limit,
          order: query.order,
          ...(query.after !== undefined ? { after: query.after } : {}),
        }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/conversations/:conversation_id/items/:item_id',
      operationId: 'getConversationItem',
      summary: 'Retrieve an item',
      tag,
      params: ItemPathSchema,
      query: IncludeQuerySchema,
      response: ConversationItemSchema,
      handler: ({ projectId, params }) =>
        conversations.retrieveItem(projectId, params.conversation_id, params.item_id),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/conversations/:conversation_id/items/:item_id',
      operationId: 'deleteConversationItem',
      summary: 'Delete an item',
      tag,
      params: ItemPathSchema,
      response: ConversationSchema,
      handler: ({ projectId, params }) =>
        conversations.deleteItem(projectId, params.conversation_id, params.item_id),
    }),
  ];
}

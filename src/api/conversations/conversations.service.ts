/**
 * Conversations and their items: create (with up to 20 items), retrieve, update metadata, delete;
 * add, list, retrieve and delete items. Items are stored as a response stores its input: ids and
 * statuses filled in, text as content parts.
 */
import { newConversation, type Conversation } from '../../domain/conversation.ts';
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type { ConversationItem } from '../../domain/response-item.ts';
import { DuplicateItemIdError, type Store } from '../../storage/store.ts';
import type { InputItemParam } from '../responses/items.schemas.ts';
import { toInputItem } from '../responses/response-input.ts';
import type {
  ConversationCreateParams,
  ConversationUpdateParams,
} from './conversations.schemas.ts';

export interface ConversationsServiceOptions {
  store: Store;
}

/** The client's items as stored; `param` names the request field for a 400. */
function toStoredItems(items: InputItemParam[], param: string): ConversationItem[] {
  return items.map((item, index) => {
    if (item.type === 'item_reference') {
      throw new InvalidRequestError(
        `Invalid '${param}[${index}]': item references are not supported in conversation items; ` +
          'send the item itself.',
        `${param}[${index}]`,
      );
    }
    return toInputItem(item);
  });
}

/** Runs an append; an item id the conversation already holds is a 400 naming it. */
async function refuseDuplicates<Result>(append: () => Promise<Result>): Promise<Result> {
  try {
    return await append();
  } catch (error) {
    if (error instanceof DuplicateItemIdError) {
      throw new InvalidRequestError(
        `Invalid 'items': the conversation already has an item with id '${error.itemId}'.`,
        'items',
      );
    }
    throw error;
  }
}

export function createConversationsService({ store }: ConversationsServiceOptions) {
  async function retrieve(projectId: string, conversationId: string): Promise<Conversation> {
    const conversation = await store.conversations.find(projectId, conversationId);
    if (!conversation)
      throw NotFoundError.object('conversation', conversationId, 'conversation_id');
    return conversation;
  }

  /** Appends items, answering a duplicate id with a 400 naming it. */
  function append(projectId: string, conversationId: string, items: ConversationItem[]) {
    return refuseDuplicates(() =>
      store.conversations.appendItems(
        projectId,
        conversationId,
        items,
        Math.floor(Date.now() / 1000),
      ),
    );
  }

  return {
    retrieve,

    async create(projectId: string, params: ConversationCreateParams): Promise<Conversation> {
      const items = toStoredItems(params.items ?? [], 'items');
      const conversation = newConversation(params.metadata ?? {});
      await refuseDuplicates(() =>
        store.transaction(async (transaction) => {
          await transaction.conversations.insert(projectId, conversation);
          await transaction.conversations.appendItems(
            projectId,
            conversation.id,
            items,
            conversation.created_at,
          );
        }),
      );
      return conversation;
    },

    async update(
      projectId: string,
      conversationId: string,
      params: ConversationUpdateParams,
    ): Promise<Conversation> {
      const current = await retrieve(projectId, conversationId);
      const updated = { ...current, metadata: params.metadata ?? {} };
      if (!(await store.conversations.update(projectId, updated)))
        throw NotFoundError.object('conversation', conversationId, 'conversation_id');
      return updated;
    },

    async delete(projectId: string, conversationId: string) {
      if (!(await store.conversations.delete(projectId, conversationId)))
        throw NotFoundError.object('conversation', conversationId, 'conversation_id');
      return { id: conversationId, object: 'conversation.deleted' as const, deleted: true };
    },

    /** Adds items at the end; answers them as a list, in the order added. */
    async addItems(
      projectId: string,
      conversationId: string,
      params: InputItemParam[],
    ): Promise<ListPage<ConversationItem>> {
      const items = toStoredItems(params, 'items');
      if (!(await append(projectId, conversationId, items)))
        throw NotFoundError.object('conversation', conversationId, 'conversation_id');
      return {
        object: 'list',
        data: items,
        first_id: items[0]?.id ?? null,
        last_id: items[items.length - 1]?.id ?? null,
        has_more: false,
      };
    },

    async listItems(
      projectId: string,
      conversationId: string,
      page: Omit<PageParams, 'before'>,
    ): Promise<ListPage<ConversationItem>> {
      await retrieve(projectId, conversationId);
      return store.conversations.listItems(projectId, conversationId, page);
    },

    async retrieveItem(
      projectId: string,
      conversationId: string,
      itemId: string,
    ): Promise<ConversationItem> {
      await retrieve(projectId, conversationId);
      const item = await store.conversations.findItem(projectId, conversationId, itemId);
      if (!item) throw NotFoundError.object('item', itemId, 'item_id');
      return item;
    },

    /** Deletes one item; answers the conversation, as OpenAI does. */
    async deleteItem(
      projectId: string,
      conversationId: string,
      itemId: string,
    ): Promise<Conversation> {
      const conversation = await retrieve(projectId, conversationId);
      if (!(await store.conversations.deleteItem(projectId, conversationId, itemId)))
        throw NotFoundError.object('item', itemId, 'item_id');
      return conversation;
    },
  };
}

export type ConversationsService = ReturnType<typeof createConversationsService>;

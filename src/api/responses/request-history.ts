/**
 * What a request reads before it runs, shared by `POST /v1/responses` and the requests that only look
 * at that history (`input_tokens`, `compact`): the items of its `previous_response_id` chain or of its
 * conversation, and its own input with item references resolved against them.
 */
import { NotFoundError } from '../../domain/errors.ts';
import type { ConversationItem, InputItem } from '../../domain/response-item.ts';
import type { Store } from '../../storage/store.ts';
import { conversationOf, type ConversationParam } from '../conversations/conversation-turn.ts';
import type { InputParam } from './items.schemas.ts';
import { chainItems, responseChain } from './response-history.ts';
import { toInputItems } from './response-input.ts';

/** The request's input as stored items; an `item_reference` must name an item of `history` (404). */
export function resolveInput(
  history: ConversationItem[],
  input: InputParam,
  param = 'input',
): Promise<InputItem[]> {
  const byId = new Map(history.map((item) => [item.id, item]));
  return toInputItems(input, async (id, index) => {
    const item = byId.get(id);
    if (!item) throw new NotFoundError(`Item with id '${id}' not found.`, `${param}[${index}].id`);
    return item as InputItem;
  });
}

/**
 * The items before a request's input, read without taking its conversation (the request does not
 * write to it): the chain's, or the conversation's as they are now. 404s name the field.
 */
export async function readRequestHistory(
  store: Store,
  projectId: string,
  request: {
    previous_response_id?: string | null | undefined;
    conversation?: ConversationParam | null | undefined;
  },
): Promise<ConversationItem[]> {
  const conversationId = conversationOf(request);
  if (conversationId) {
    if (!(await store.conversations.find(projectId, conversationId)))
      throw NotFoundError.object('conversation', conversationId, 'conversation');
    return store.conversations.listAllItems(projectId, conversationId);
  }
  if (!request.previous_response_id) return [];
  return chainItems(await responseChain(store, projectId, request.previous_response_id));
}

/**
 * The conversation object of the Responses API: a stored, ordered list of items that responses read
 * as their history and append to when they settle.
 */
import type { Metadata } from './assistant.ts';
import { newId } from './ids.ts';

export interface Conversation {
  id: string;
  object: 'conversation';
  created_at: number;
  metadata: Metadata;
}

/** OpenAI's limit on the items of one create call (`items` of a conversation or of items.create). */
export const MAX_ITEMS_PER_CALL = 20;

/** A new, unsaved conversation. */
export function newConversation(metadata: Metadata, now = Date.now()): Conversation {
  return {
    id: newId('conversation', now),
    object: 'conversation',
    created_at: Math.floor(now / 1000),
    metadata,
  };
}

/**
 * Conversations and their ordered items. Every method is scoped to a project. An item's place in
 * its conversation is fixed when it is appended: appends are atomic and totally ordered, also when
 * several API nodes append to one conversation at once.
 */
import type { Conversation } from '../../domain/conversation.ts';
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type { ConversationItem } from '../../domain/response-item.ts';

/** An append named an item id the conversation already holds (or named one twice). */
export class DuplicateItemIdError extends Error {
  override name = 'DuplicateItemIdError';
  constructor(readonly itemId: string) {
    super(`The conversation already has an item with id '${itemId}'.`);
  }
}

/** What `acquire` found: the lock is now the caller's, another response holds it, or no such conversation. */
export type ConversationLockResult = 'acquired' | 'locked' | 'missing';

export interface ConversationRepository {
  insert(projectId: string, conversation: Conversation): Promise<void>;
  find(projectId: string, id: string): Promise<Conversation | undefined>;
  /** Replaces the metadata; returns false when the conversation no longer exists. */
  update(projectId: string, conversation: Conversation): Promise<boolean>;
  /** Deletes the conversation with its items. */
  delete(projectId: string, id: string): Promise<boolean>;
  /**
   * Appends items after the conversation's last one, in the given order, in one atomic step: two
   * concurrent appends never interleave, and no position is skipped or used twice. Returns false
   * when the conversation does not exist; throws `DuplicateItemIdError` (and appends nothing) when an
   * item id is already in the conversation or repeats within `items`.
   */
  appendItems(
    projectId: string,
    conversationId: string,
    items: ConversationItem[],
    createdAt: number,
  ): Promise<boolean>;
  findItem(
    projectId: string,
    conversationId: string,
    itemId: string,
  ): Promise<ConversationItem | undefined>;
  deleteItem(projectId: string, conversationId: string, itemId: string): Promise<boolean>;
  /** One page in conversation order (`asc`) or its reverse; `after` is an item id of the conversation. */
  listItems(
    projectId: string,
    conversationId: string,
    page: Omit<PageParams, 'before'>,
  ): Promise<ListPage<ConversationItem>>;
  /** Every item in conversation order: what a response with this conversation reads as history. */
  listAllItems(projectId: string, conversationId: string): Promise<ConversationItem[]>;
  /**
   * Marks the conversation as held by a response until `until` (Unix ms), only if no other response
   * holds it: not held, held by the same response (which renews it), or held past its `until` (one
   * compare-and-set at `now`).
   */
  acquire(
    projectId: string,
    conversationId: string,
    responseId: string,
    lease: { now: number; until: number },
  ): Promise<ConversationLockResult>;
  /**
   * Extends the hold to `until` (Unix ms) only if `responseId` still holds the conversation (a long
   * background response renews it while it runs); false when another response took it or it was
   * released.
   */
  renew(
    projectId: string,
    conversationId: string,
    responseId: string,
    until: number,
  ): Promise<boolean>;
  /** Releases the conversation if `responseId` holds it; otherwise does nothing. */
  release(projectId: string, conversationId: string, responseId: string): Promise<void>;
}

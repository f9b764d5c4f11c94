/** Messages of a thread: create, retrieve, update, delete, list. */
import { InvalidRequestError, NotFoundError } from '../../../domain/errors.ts';
import { JsonText } from '../../../domain/json-text.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import { isPromise, type MaybePromise } from '../../../domain/maybe-promise.ts';
import type { Message } from '../../../domain/message.ts';
import { newMessage } from '../../../domain/new-message.ts';
import type { Store } from '../../../storage/store.ts';
import type { MessageCreateParams } from '../../shared/message.schemas.ts';
import type { MessageUpdateParams } from './messages.schemas.ts';

export interface MessagesServiceOptions {
  store: Store;
  /**
   * Checks that run before a client adds a message (its files exist, …): a promise when they read or
   * write, nothing when there is nothing to check (a plain text message then costs no promise).
   */
  beforeCreate?: (
    store: Store,
    projectId: string,
    threadId: string,
    params: MessageCreateParams,
  ) => MaybePromise<void>;
}

async function requireThread(store: Store, projectId: string, threadId: string): Promise<void> {
  if (!(await store.threads.find(projectId, threadId)))
    throw NotFoundError.object('thread', threadId, 'thread_id');
}

export function createMessagesService({ store, beforeCreate }: MessagesServiceOptions) {
  async function retrieve(
    projectId: string,
    threadId: string,
    messageId: string,
  ): Promise<Message> {
    const message = await store.messages.find(projectId, messageId);
    if (!message || message.thread_id !== threadId) {
      await requireThread(store, projectId, threadId);
      throw NotFoundError.object('message', messageId, 'message_id');
    }
    return message;
  }

  /** An empty page may mean "no such thread"; only then is the extra lookup worth it. */
  function threadOfPage(
    projectId: string,
    threadId: string,
    page: JsonText,
  ): MaybePromise<JsonText> {
    if (page.itemCount !== 0) return page;
    return requireThread(store, projectId, threadId).then(() => page);
  }

  function insert(
    projectId: string,
    threadId: string,
    params: MessageCreateParams,
  ): MaybePromise<JsonText> {
    const message = newMessage(threadId, params);
    // Serialized once: the stored text is the response.
    const json = JSON.stringify(message);
    const inserted = store.messages.insertIntoThread(projectId, message, json);
    if (inserted === true) return new JsonText(json);
    if (inserted === false) return refused(projectId, threadId);
    return inserted.then((added) => (added ? new JsonText(json) : refused(projectId, threadId)));
  }

  /** Why an insert was refused: no such thread (404), or a run was active (400). */
  async function refused(projectId: string, threadId: string): Promise<never> {
    await requireThread(store, projectId, threadId);
    // Refused because a run was active; it may have ended since, but it was active then.
    const active = await store.runs.findActive(projectId, threadId);
    throw new InvalidRequestError(
      active
        ? `Can't add messages to ${threadId} while a run ${active.id} is active.`
        : `Can't add messages to ${threadId} while a run is active.`,
    );
  }

  return {
    retrieve,

    /**
     * Adds a client message. Synchronous when nothing needs I/O to wait for (no files to check, a
     * store that answers at once): the hot path of the conversation API costs no promise then.
     */
    create(
      projectId: string,
      threadId: string,
      params: MessageCreateParams,
    ): MaybePromise<JsonText> {
      const checked = beforeCreate?.(store, projectId, threadId, params);
      if (isPromise(checked)) return checked.then(() => insert(projectId, threadId, params));
      return insert(projectId, threadId, params);
    },

    async update(
      projectId: string,
      threadId: string,
      messageId: string,
      params: MessageUpdateParams,
    ): Promise<Message> {
      const current = await retrieve(projectId, threadId, messageId);
      if (params.metadata === undefined) return current;
      const updated = { ...current, metadata: params.metadata ?? {} };
      if (!(await store.messages.update(projectId, updated)))
        throw NotFoundError.object('message', messageId, 'message_id');
      return updated;
    },

    async delete(projectId: string, threadId: string, messageId: string) {
      await retrieve(projectId, threadId, messageId);
      if (!(await store.messages.delete(projectId, messageId)))
        throw NotFoundError.object('message', messageId, 'message_id');
      return { id: messageId, object: 'thread.message.deleted' as const, deleted: true };
    },

    list(
      projectId: string,
      threadId: string,
      page: PageParams,
      runId?: string,
    ): MaybePromise<JsonText> {
      const result = store.messages.listJson(
        projectId,
        threadId,
        page,
        runId === undefined ? {} : { runId },
      );
      return isPromise(result)
        ? result.then((listed) => threadOfPage(projectId, threadId, listed))
        : threadOfPage(projectId, threadId, result);
    },
  };
}

export type MessagesService = ReturnType<typeof createMessagesService>;

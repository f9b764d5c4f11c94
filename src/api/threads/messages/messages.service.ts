/** Messages of a thread: create, retrieve, update, delete, list. */
import { InvalidRequestError, NotFoundError } from '../../../domain/errors.ts';
import { JsonText } from '../../../domain/json-text.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import type { Message } from '../../../domain/message.ts';
import { newMessage } from '../../../domain/new-message.ts';
import type { Store } from '../../../storage/store.ts';
import type { MessageCreateParams } from '../../shared/message.schemas.ts';
import type { MessageUpdateParams } from './messages.schemas.ts';

export interface MessagesServiceOptions {
  store: Store;
  /** Checks that run before a client adds a message (e.g. "no active run on this thread"). */
  beforeCreate?: (
    store: Store,
    projectId: string,
    threadId: string,
    params: MessageCreateParams,
  ) => Promise<void>;
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

  return {
    retrieve,

    async create(
      projectId: string,
      threadId: string,
      params: MessageCreateParams,
    ): Promise<JsonText> {
      await beforeCreate?.(store, projectId, threadId, params);
      const message = newMessage(threadId, params);
      // Serialized once: the stored text is the response.
      const json = JSON.stringify(message);
      if (await store.messages.insertIntoThread(projectId, message, json))
        return new JsonText(json);
      await requireThread(store, projectId, threadId);
      // Refused because a run was active; it may have ended since, but it was active then.
      const active = await store.runs.findActive(projectId, threadId);
      throw new InvalidRequestError(
        active
          ? `Can't add messages to ${threadId} while a run ${active.id} is active.`
          : `Can't add messages to ${threadId} while a run is active.`,
      );
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

    async list(projectId: string, threadId: string, page: PageParams, runId?: string) {
      const result = await store.messages.listJson(
        projectId,
        threadId,
        page,
        runId === undefined ? {} : { runId },
      );
      // An empty page may mean "no such thread"; only then is the extra lookup worth it.
      if (result.itemCount === 0) await requireThread(store, projectId, threadId);
      return result;
    },
  };
}

export type MessagesService = ReturnType<typeof createMessagesService>;

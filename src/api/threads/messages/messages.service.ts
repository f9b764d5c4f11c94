/** Messages of a thread: create, retrieve, update, delete, list. */
import { nowSeconds } from '../../../domain/clock.ts';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../../domain/errors.ts';
import { newId } from '../../../domain/ids.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import type { Message, MessageContent } from '../../../domain/message.ts';
import type { Store } from '../../../storage/store.ts';
import type { MessageCreateParams } from '../../shared/message.schemas.ts';
import type { MessageUpdateParams } from './messages.schemas.ts';

/** Request content (a string or parts) in the stored form: text parts carry `{value, annotations: []}`. */
export function toMessageContent(content: MessageCreateParams['content']): MessageContent[] {
  if (typeof content === 'string')
    return [{ type: 'text', text: { value: content, annotations: [] } }];
  return content.map((part): MessageContent => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: { value: part.text, annotations: [] } };
      case 'image_file':
        return {
          type: 'image_file',
          image_file: {
            file_id: part.image_file.file_id,
            ...(part.image_file.detail ? { detail: part.image_file.detail } : {}),
          },
        };
      case 'image_url':
        return {
          type: 'image_url',
          image_url: {
            url: part.image_url.url,
            ...(part.image_url.detail ? { detail: part.image_url.detail } : {}),
          },
        };
    }
  });
}

/** A message as created by a client (not by a run): complete on arrival, no run, no assistant. */
export function buildMessage(
  threadId: string,
  params: MessageCreateParams,
  createdAt = nowSeconds(),
): Message {
  return {
    id: newId('message'),
    object: 'thread.message',
    created_at: createdAt,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: params.role,
    content: toMessageContent(params.content),
    assistant_id: null,
    run_id: null,
    attachments: params.attachments ?? [],
    metadata: params.metadata ?? {},
  };
}

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
    ): Promise<Message> {
      await beforeCreate?.(store, projectId, threadId, params);
      const message = buildMessage(threadId, params);
      if (await store.messages.insertIntoThread(projectId, message)) return message;
      await requireThread(store, projectId, threadId);
      const active = await store.runs.findActive(projectId, threadId);
      if (active)
        throw new InvalidRequestError(
          `Can't add messages to ${threadId} while a run ${active.id} is active.`,
        );
      throw new ConflictError('The message could not be added; please retry.');
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

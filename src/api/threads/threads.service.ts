/** Threads: create (with initial messages), retrieve, update, delete. */
import { nowSeconds } from '../../domain/clock.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { Thread } from '../../domain/thread.ts';
import type { Store } from '../../storage/store.ts';
import type { MessageCreateParams } from '../shared/message.schemas.ts';
import type { ToolResourcesResolver } from '../shared/tool-resources.ts';
import { buildMessage } from './messages/messages.service.ts';
import type { ThreadCreateParams, ThreadUpdateParams } from './threads.schemas.ts';

export interface ThreadsServiceOptions {
  store: Store;
  toolResources: ToolResourcesResolver;
  /** Runs before each initial message is stored (file checks, attachments into the thread's vector store). */
  beforeCreateMessage?: (
    store: Store,
    projectId: string,
    threadId: string,
    params: MessageCreateParams,
    path?: string,
  ) => Promise<void>;
}

export function createThreadsService({
  store,
  toolResources,
  beforeCreateMessage,
}: ThreadsServiceOptions) {
  async function retrieve(projectId: string, threadId: string): Promise<Thread> {
    const thread = await store.threads.find(projectId, threadId);
    if (!thread) throw NotFoundError.object('thread', threadId, 'thread_id');
    return thread;
  }

  /** Creates the thread and its messages in one transaction of the given store. */
  async function createIn(
    transaction: Store,
    projectId: string,
    params: ThreadCreateParams,
  ): Promise<Thread> {
    const createdAt = nowSeconds();
    const thread: Thread = {
      id: newId('thread'),
      object: 'thread',
      created_at: createdAt,
      tool_resources: await toolResources.resolve(
        transaction,
        projectId,
        params.tool_resources,
        [],
      ),
      metadata: params.metadata ?? {},
    };
    await transaction.threads.insert(projectId, thread);
    for (const [index, message] of (params.messages ?? []).entries()) {
      await beforeCreateMessage?.(
        transaction,
        projectId,
        thread.id,
        message,
        `messages[${index}].`,
      );
      await transaction.messages.insert(projectId, buildMessage(thread.id, message, createdAt));
    }
    // Attachments may have given the thread a vector store: return what was stored.
    return beforeCreateMessage
      ? ((await transaction.threads.find(projectId, thread.id)) ?? thread)
      : thread;
  }

  return {
    retrieve,
    createIn,

    create(projectId: string, params: ThreadCreateParams): Promise<Thread> {
      return store.transaction((transaction) => createIn(transaction, projectId, params));
    },

    async update(projectId: string, threadId: string, params: ThreadUpdateParams): Promise<Thread> {
      return store.transaction(async (transaction) => {
        const current = await transaction.threads.find(projectId, threadId);
        if (!current) throw NotFoundError.object('thread', threadId, 'thread_id');
        const updated: Thread = {
          ...current,
          tool_resources:
            params.tool_resources !== undefined
              ? await toolResources.resolve(transaction, projectId, params.tool_resources, [])
              : current.tool_resources,
          metadata: params.metadata !== undefined ? (params.metadata ?? {}) : current.metadata,
        };
        await transaction.threads.update(projectId, updated);
        return updated;
      });
    },

    async delete(projectId: string, threadId: string) {
      if (!(await store.threads.delete(projectId, threadId)))
        throw NotFoundError.object('thread', threadId, 'thread_id');
      return { id: threadId, object: 'thread.deleted' as const, deleted: true };
    },
  };
}

export type ThreadsService = ReturnType<typeof createThreadsService>;

/** Threads: create (with initial messages, through the runs engine), retrieve, update, delete. */
import { NotFoundError } from '../../domain/errors.ts';
import type { Thread } from '../../domain/thread.ts';
import type { RunsEngine } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import type { ToolResourcesResolver } from '../shared/tool-resources.ts';
import type { ThreadCreateParams, ThreadUpdateParams } from './threads.schemas.ts';

export interface ThreadsServiceOptions {
  store: Store;
  toolResources: ToolResourcesResolver;
  /** Creates a thread with its messages (file checks, attachments into the thread's vector store). */
  engine: Pick<RunsEngine, 'createThread'>;
}

export function createThreadsService({ store, toolResources, engine }: ThreadsServiceOptions) {
  async function retrieve(projectId: string, threadId: string): Promise<Thread> {
    const thread = await store.threads.find(projectId, threadId);
    if (!thread) throw NotFoundError.object('thread', threadId, 'thread_id');
    return thread;
  }

  return {
    retrieve,

    create(projectId: string, params: ThreadCreateParams): Promise<Thread> {
      return engine.createThread(projectId, params);
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

/**
 * What a client message's files do, as OpenAI does it: every attachment and `image_file` must name a
 * file of the project, and attachments with the file_search tool go into the thread's vector store,
 * which is created (expiring 7 days after last use) and recorded in the thread's tool_resources when
 * the thread has none.
 */
import { NotFoundError } from '../../domain/errors.ts';
import type { MessageInput } from '../../domain/new-message.ts';
import type { Store } from '../../storage/store.ts';
import type { MaybePromise } from '../../domain/maybe-promise.ts';
import { assertFilesExist } from '../files/files.service.ts';
import { attachFiles } from '../vector-stores/attach-files.ts';
import { createVectorStoreIn } from '../vector-stores/vector-stores.service.ts';

export type MessageFilesHook = (
  store: Store,
  projectId: string,
  threadId: string,
  params: MessageInput,
  /** Where the message sits in the request body (`additional_messages[0].`), for error params. */
  path?: string,
) => MaybePromise<void>;

/**
 * Whether a message names files (attachments, `image_file` parts): only then has the hook anything to
 * check or store, declared up front so a creation without any can skip its transaction.
 */
export function messageHasFiles(params: MessageInput): boolean {
  if (params.attachments?.length) return true;
  return Array.isArray(params.content) && params.content.some((part) => part.type === 'image_file');
}

const THREAD_STORE_EXPIRY = { anchor: 'last_active_at' as const, days: 7 };

export function createMessageAttachments(options: { onFilesQueued: () => void }): MessageFilesHook {
  // A message without files has nothing to check or store: answered at once, with no promise.
  return (store, projectId, threadId, params, path) =>
    messageHasFiles(params) ? checkAndStore(store, projectId, threadId, params, path) : undefined;

  async function checkAndStore(
    store: Store,
    projectId: string,
    threadId: string,
    params: MessageInput,
    path = '',
  ): Promise<void> {
    if (Array.isArray(params.content)) {
      for (const [index, part] of params.content.entries()) {
        if (part.type === 'image_file')
          await assertFilesExist(
            store,
            projectId,
            [part.image_file.file_id],
            `${path}content[${index}].image_file.file_id`,
          );
      }
    }
    const attachments = params.attachments ?? [];
    for (const [index, attachment] of attachments.entries()) {
      await assertFilesExist(
        store,
        projectId,
        [attachment.file_id],
        `${path}attachments[${index}].file_id`,
      );
    }
    const searchable = [
      ...new Set(
        attachments
          .filter((item) => item.tools.some((tool) => tool.type === 'file_search'))
          .map((item) => item.file_id),
      ),
    ];
    if (searchable.length === 0) return;

    const thread = await store.threads.find(projectId, threadId);
    if (!thread) throw NotFoundError.object('thread', threadId, 'thread_id');
    const current = thread.tool_resources.file_search?.vector_store_ids[0];
    if (current && (await store.vectorStores.findRecord(projectId, current))) {
      await attachFiles(
        store,
        projectId,
        current,
        searchable.map((fileId) => ({ fileId })),
        null,
        `${path}attachments`,
      );
    } else {
      const created = await createVectorStoreIn(
        store,
        projectId,
        { fileIds: searchable, name: `thread ${threadId}`, expiresAfter: THREAD_STORE_EXPIRY },
        `${path}attachments`,
      );
      await store.threads.update(projectId, {
        ...thread,
        tool_resources: { ...thread.tool_resources, file_search: { vector_store_ids: [created] } },
      });
    }
    options.onFilesQueued();
  }
}

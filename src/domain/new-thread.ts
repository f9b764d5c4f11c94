/**
 * A new thread: what a caller asks for (its first messages, metadata and tool resources as requested)
 * and the constructor of the stored object once its tool resources are resolved.
 */
import type { Metadata, ToolResources } from './assistant.ts';
import { nowSeconds } from './clock.ts';
import { newId } from './ids.ts';
import type { MessageInput } from './new-message.ts';
import type { Thread } from './thread.ts';

/** Tool resources as requested: ids still to check, and helpers that create vector stores. */
export interface ToolResourcesInput {
  code_interpreter?: { file_ids?: string[] | undefined } | undefined;
  file_search?:
    | {
        vector_store_ids?: string[] | undefined;
        /** The create-only helper; its shape was checked by the request schema. */
        vector_stores?: unknown;
      }
    | undefined;
}

/** A thread to create, with the messages it starts with. */
export interface ThreadInput {
  messages?: MessageInput[] | undefined;
  metadata?: Metadata | null | undefined;
  tool_resources?: ToolResourcesInput | null | undefined;
}

export function newThread(
  toolResources: ToolResources,
  metadata: Metadata | null | undefined,
  createdAt = nowSeconds(),
): Thread {
  return {
    id: newId('thread'),
    object: 'thread',
    created_at: createdAt,
    tool_resources: toolResources,
    metadata: metadata ?? {},
  };
}

/**
 * Turns a request's `tool_resources` into the stored shape. The basic resolver stores ids as given;
 * the files feature replaces it with one that checks the ids and runs the `vector_stores` helper.
 */
import type { AssistantTool, ToolResources } from '../../domain/assistant.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import type { Store } from '../../storage/store.ts';

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

export interface ToolResourcesResolver {
  /** The stored `tool_resources` for a create or update; `{}` when none were given. */
  resolve(
    store: Store,
    projectId: string,
    input: ToolResourcesInput | null | undefined,
    tools: AssistantTool[],
  ): Promise<ToolResources>;
}

/** Stores ids as given and refuses the `vector_stores` helper, which needs vector store support. */
export const idsOnlyToolResources: ToolResourcesResolver = {
  async resolve(_store, _projectId, input) {
    const resources: ToolResources = {};
    if (!input) return resources;
    if (Array.isArray(input.file_search?.vector_stores) && input.file_search.vector_stores.length > 0) {
      throw new InvalidRequestError(
        'tool_resources.file_search.vector_stores is not available on this server yet; create the vector store first and pass vector_store_ids.',
        'tool_resources.file_search.vector_stores',
      );
    }
    if (input.code_interpreter) resources.code_interpreter = { file_ids: input.code_interpreter.file_ids ?? [] };
    if (input.file_search) resources.file_search = { vector_store_ids: input.file_search.vector_store_ids ?? [] };
    return resources;
  },
};

/**
 * Turns a request's `tool_resources` into the stored shape: every file id and vector store id must
 * exist in the project (404 naming the id, as OpenAI answers), and the create-only `vector_stores`
 * helper creates a vector store from files and attaches it.
 */
import type { AssistantTool, ToolResources } from '../../domain/assistant.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { ToolResourcesInput } from '../../domain/new-thread.ts';
import type { Store } from '../../storage/store.ts';
import { assertFilesExist } from '../files/files.service.ts';
import type { ChunkingStrategyInput } from '../vector-stores/attach-files.ts';
import { createVectorStoreIn } from '../vector-stores/vector-stores.service.ts';

export interface ToolResourcesResolver {
  /** The stored `tool_resources` for a create or update; `{}` when none were given. */
  resolve(
    store: Store,
    projectId: string,
    input: ToolResourcesInput | null | undefined,
    tools: AssistantTool[],
  ): Promise<ToolResources>;
}

interface VectorStoreHelper {
  file_ids?: string[] | undefined;
  chunking_strategy?: ChunkingStrategyInput | undefined;
  metadata?: Record<string, string> | null | undefined;
}

/** Throws the 404 for the first id that is not a vector store of the project. */
export async function assertVectorStoresExist(
  store: Store,
  projectId: string,
  ids: string[],
  param: string,
): Promise<void> {
  const found = await store.vectorStores.existing(projectId, ids);
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw NotFoundError.object('vector store', missing, param);
}

export function createToolResourcesResolver(options: {
  onFilesQueued: () => void;
}): ToolResourcesResolver {
  return {
    async resolve(store, projectId, input) {
      const resources: ToolResources = {};
      if (!input) return resources;
      if (input.code_interpreter) {
        const fileIds = input.code_interpreter.file_ids ?? [];
        await assertFilesExist(
          store,
          projectId,
          fileIds,
          'tool_resources.code_interpreter.file_ids',
        );
        resources.code_interpreter = { file_ids: fileIds };
      }
      if (input.file_search) {
        const vectorStoreIds = [...(input.file_search.vector_store_ids ?? [])];
        await assertVectorStoresExist(
          store,
          projectId,
          vectorStoreIds,
          'tool_resources.file_search.vector_store_ids',
        );
        const helpers = (input.file_search.vector_stores ?? []) as VectorStoreHelper[];
        for (const [index, helper] of helpers.entries()) {
          const id = await createVectorStoreIn(
            store,
            projectId,
            {
              fileIds: helper.file_ids ?? [],
              chunkingStrategy: helper.chunking_strategy,
              metadata: helper.metadata,
            },
            `tool_resources.file_search.vector_stores[${index}].file_ids`,
          );
          vectorStoreIds.push(id);
          if ((helper.file_ids ?? []).length > 0) options.onFilesQueued();
        }
        resources.file_search = { vector_store_ids: vectorStoreIds };
      }
      return resources;
    },
  };
}

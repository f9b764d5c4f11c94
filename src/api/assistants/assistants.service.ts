/** Assistants: create, retrieve, update, delete, list. */
import type { Assistant } from '../../domain/assistant.ts';
import { nowSeconds } from '../../domain/clock.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { PageParams } from '../../domain/list-page.ts';
import type { Store } from '../../storage/store.ts';
import { assertToolReferencesExist } from '../shared/tool-references.ts';
import type { ToolResourcesResolver } from '../shared/tool-resources.ts';
import type { AssistantCreateParams, AssistantUpdateParams } from './assistants.schemas.ts';

export interface AssistantsServiceOptions {
  store: Store;
  toolResources: ToolResourcesResolver;
}

export function createAssistantsService({ store, toolResources }: AssistantsServiceOptions) {
  async function retrieve(projectId: string, assistantId: string): Promise<Assistant> {
    const assistant = await store.assistants.find(projectId, assistantId);
    if (!assistant) throw NotFoundError.object('assistant', assistantId, 'assistant_id');
    return assistant;
  }

  return {
    retrieve,

    async create(projectId: string, params: AssistantCreateParams): Promise<Assistant> {
      return store.transaction(async (transaction) => {
        await assertToolReferencesExist(transaction, projectId, params.tools);
        const assistant: Assistant = {
          id: newId('assistant'),
          object: 'assistant',
          created_at: nowSeconds(),
          name: params.name ?? null,
          description: params.description ?? null,
          model: params.model,
          instructions: params.instructions ?? null,
          tools: params.tools ?? [],
          tool_resources: await toolResources.resolve(
            transaction,
            projectId,
            params.tool_resources,
            params.tools ?? [],
          ),
          metadata: params.metadata ?? {},
          temperature: params.temperature ?? 1,
          top_p: params.top_p ?? 1,
          response_format: params.response_format ?? 'auto',
          reasoning_effort: params.reasoning_effort ?? null,
        };
        await transaction.assistants.insert(projectId, assistant);
        return assistant;
      });
    },

    async update(
      projectId: string,
      assistantId: string,
      params: AssistantUpdateParams,
    ): Promise<Assistant> {
      return store.transaction(async (transaction) => {
        const current = await transaction.assistants.find(projectId, assistantId);
        if (!current) throw NotFoundError.object('assistant', assistantId, 'assistant_id');
        const tools = params.tools ?? current.tools;
        await assertToolReferencesExist(transaction, projectId, params.tools);
        const updated: Assistant = {
          ...current,
          ...(params.model !== undefined ? { model: params.model } : {}),
          ...(params.name !== undefined ? { name: params.name } : {}),
          ...(params.description !== undefined ? { description: params.description } : {}),
          ...(params.instructions !== undefined ? { instructions: params.instructions } : {}),
          ...(params.reasoning_effort !== undefined
            ? { reasoning_effort: params.reasoning_effort }
            : {}),
          tools,
          // tool_resources lists replace the current ones, as OpenAI documents ("overrides").
          tool_resources:
            params.tool_resources !== undefined
              ? await toolResources.resolve(transaction, projectId, params.tool_resources, tools)
              : current.tool_resources,
          metadata: params.metadata !== undefined ? (params.metadata ?? {}) : current.metadata,
          ...(params.temperature !== undefined ? { temperature: params.temperature ?? 1 } : {}),
          ...(params.top_p !== undefined ? { top_p: params.top_p ?? 1 } : {}),
          ...(params.response_format !== undefined
            ? { response_format: params.response_format ?? 'auto' }
            : {}),
        };
        await transaction.assistants.update(projectId, updated);
        return updated;
      });
    },

    async delete(projectId: string, assistantId: string) {
      if (!(await store.assistants.delete(projectId, assistantId))) {
        throw NotFoundError.object('assistant', assistantId, 'assistant_id');
      }
      return { id: assistantId, object: 'assistant.deleted' as const, deleted: true };
    },

    list(projectId: string, page: PageParams) {
      return store.assistants.list(projectId, page);
    },
  };
}

export type AssistantsService = ReturnType<typeof createAssistantsService>;

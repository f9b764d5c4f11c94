/**
 * Ids a response request names that its run would otherwise pass over: each `file_search` tool's
 * vector stores, each `service_agent` tool's agent, and each `input_image` file. Any that the project
 * does not have is a 404 naming the field, as OpenAI answers (another project's id reads the same).
 */
import { NotFoundError } from '../../domain/errors.ts';
import type { ResponseTool } from '../../domain/response.ts';
import type { InputItem } from '../../domain/response-item.ts';
import { nowSeconds } from '../../domain/clock.ts';
import type { Store } from '../../storage/store.ts';
import { assertVectorStoresExist } from '../shared/tool-resources.ts';

export async function checkResponseReferences(
  store: Store,
  projectId: string,
  tools: readonly ResponseTool[],
  input: readonly InputItem[],
): Promise<void> {
  for (const [index, tool] of tools.entries()) {
    if (tool.type === 'file_search')
      await assertVectorStoresExist(
        store,
        projectId,
        tool.vector_store_ids,
        `tools[${index}].vector_store_ids`,
      );
    if (
      tool.type === 'service_agent' &&
      !(await store.serviceAgents.find(projectId, tool.service_agent.id))
    )
      throw NotFoundError.object(
        'service agent',
        tool.service_agent.id,
        `tools[${index}].service_agent.id`,
      );
  }
  const now = nowSeconds();
  for (const [index, item] of input.entries()) {
    if (item.type !== 'message' || item.role === 'assistant') continue;
    for (const [partIndex, part] of item.content.entries()) {
      if (part.type !== 'input_image' || !part.file_id) continue;
      if (!(await store.files.find(projectId, part.file_id, now)))
        throw NotFoundError.object(
          'file',
          part.file_id,
          `input[${index}].content[${partIndex}].file_id`,
        );
    }
  }
}

/**
 * An assistant as the settings of a response: its model, instructions and tools in their Responses
 * shape (the migration the guide describes: assistant → stored instructions and tools).
 */
import type { Assistant } from '../api/api-objects.ts';

export function responseSettings(assistant: Assistant): Record<string, unknown> {
  const tools = assistant.tools.flatMap((tool): Array<Record<string, unknown>> => {
    switch (tool.type) {
      case 'function':
        return [
          {
            type: 'function',
            name: tool.function.name,
            description: tool.function.description ?? null,
            parameters: tool.function.parameters ?? null,
            strict: tool.function.strict ?? false,
          },
        ];
      case 'file_search': {
        const ids = assistant.tool_resources?.file_search?.vector_store_ids ?? [];
        return ids.length ? [{ type: 'file_search', vector_store_ids: ids }] : [];
      }
      case 'code_interpreter': {
        const fileIds = assistant.tool_resources?.code_interpreter?.file_ids ?? [];
        return [{ type: 'code_interpreter', container: { type: 'auto', file_ids: fileIds } }];
      }
      default:
        return [tool as unknown as Record<string, unknown>];
    }
  });
  return {
    model: assistant.model,
    ...(assistant.instructions ? { instructions: assistant.instructions } : {}),
    ...(tools.length ? { tools } : {}),
    ...(assistant.temperature != null ? { temperature: assistant.temperature } : {}),
    ...(assistant.top_p != null ? { top_p: assistant.top_p } : {}),
  };
}

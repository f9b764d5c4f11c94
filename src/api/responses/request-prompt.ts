/**
 * The prompt a response request makes, as the engine would send it: the instructions (with the
 * `system`/`developer` messages of its items), the tools declared to the model, and its history and
 * input as model messages. `input_tokens` counts it and `compact` summarizes it.
 */
import type { ConversationItem } from '../../domain/response-item.ts';
import type { ModelMessage, ModelTool } from '../../models/language-model.ts';
import type { Response } from '../../domain/response.ts';
import { instructionItems, toModelMessages, type ResponseLoaders } from './response-history.ts';

export interface RequestPrompt {
  system: string | undefined;
  tools: ModelTool[];
  messages: ModelMessage[];
}

/**
 * A tool as the model sees it. A function is declared as the engine declares it; a built-in tool's
 * declaration is made by its server tool during the run, so here it is measured as the request
 * declares it (an estimate of a few tokens).
 */
function modelTool(tool: Response['tools'][number]): ModelTool {
  if (tool.type === 'function')
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
      strict: tool.strict ?? true,
    };
  return { name: tool.type, parameters: tool as unknown as Record<string, unknown> };
}

export async function requestPrompt(
  projectId: string,
  request: {
    instructions?: string | null | undefined;
    tools?: Response['tools'] | null | undefined;
  },
  items: ConversationItem[],
  loaders: ResponseLoaders,
): Promise<RequestPrompt> {
  const system = [request.instructions, ...instructionItems(items)].filter(Boolean).join('\n\n');
  return {
    system: system || undefined,
    tools: (request.tools ?? []).map(modelTool),
    messages: await toModelMessages(projectId, items, loaders),
  };
}

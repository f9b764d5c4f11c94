/**
 * The assistant form's state, and its conversion to and from the API's assistant object. Function
 * parameters are edited as JSON text and must parse to an object before anything is sent.
 */
import type { Assistant, AssistantTool } from '../api/api-objects.ts';

export interface FunctionDraft {
  /** Stable React key for the row. */
  key: number;
  name: string;
  description: string;
  parameters: string;
}

export interface AssistantDraft {
  name: string;
  description: string;
  model: string;
  instructions: string;
  temperature: string;
  topP: string;
  codeInterpreter: boolean;
  fileSearch: boolean;
  vectorStoreId: string;
  /** Service agent ids (`sa_…`), separated by commas or spaces. */
  serviceAgentIds: string;
  functions: FunctionDraft[];
}

let nextKey = 1;

export function emptyFunction(): FunctionDraft {
  return {
    key: nextKey++,
    name: '',
    description: '',
    parameters: '{\n  "type": "object",\n  "properties": {}\n}',
  };
}

export function draftOf(assistant: Assistant | undefined): AssistantDraft {
  const tools = assistant?.tools ?? [];
  return {
    name: assistant?.name ?? '',
    description: assistant?.description ?? '',
    model: assistant?.model ?? '',
    instructions: assistant?.instructions ?? '',
    temperature: assistant?.temperature == null ? '' : String(assistant.temperature),
    topP: assistant?.top_p == null ? '' : String(assistant.top_p),
    codeInterpreter: tools.some((tool) => tool.type === 'code_interpreter'),
    fileSearch: tools.some((tool) => tool.type === 'file_search'),
    vectorStoreId: assistant?.tool_resources?.file_search?.vector_store_ids?.[0] ?? '',
    serviceAgentIds: tools
      .flatMap((tool) => (tool.type === 'service_agent' ? [tool.service_agent.id] : []))
      .join(', '),
    functions: tools.flatMap((tool) =>
      tool.type === 'function'
        ? [
            {
              key: nextKey++,
              name: tool.function.name,
              description: tool.function.description ?? '',
              parameters: JSON.stringify(
                tool.function.parameters ?? { type: 'object', properties: {} },
                null,
                2,
              ),
            },
          ]
        : [],
    ),
  };
}

/** A field the user must fix before saving, with the id of the input to focus. */
export class DraftError extends Error {
  constructor(
    message: string,
    readonly fieldId: string,
  ) {
    super(message);
  }
}

function optionalNumber(text: string, label: string, fieldId: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new DraftError(`${label} must be a number.`, fieldId);
  return value;
}

/** The create/update body for a draft; throws a `DraftError` naming the field to fix. */
export function paramsOf(draft: AssistantDraft): Record<string, unknown> {
  if (draft.model.trim() === '') throw new DraftError('Choose a model.', 'assistant-model');
  const tools: AssistantTool[] = [];
  if (draft.codeInterpreter) tools.push({ type: 'code_interpreter' });
  if (draft.fileSearch) tools.push({ type: 'file_search' });
  for (const id of draft.serviceAgentIds.split(/[\s,]+/).filter(Boolean))
    tools.push({ type: 'service_agent', service_agent: { id } });
  for (const [index, fn] of draft.functions.entries()) {
    const fieldId = `function-${fn.key}`;
    if (fn.name.trim() === '')
      throw new DraftError(`Function ${index + 1} needs a name.`, `${fieldId}-name`);
    let parameters: unknown;
    try {
      parameters = JSON.parse(fn.parameters);
    } catch (error) {
      throw new DraftError(
        `The parameters of ${fn.name} are not valid JSON: ${(error as Error).message}`,
        `${fieldId}-parameters`,
      );
    }
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      throw new DraftError(
        `The parameters of ${fn.name} must be a JSON Schema object.`,
        `${fieldId}-parameters`,
      );
    }
    tools.push({
      type: 'function',
      function: {
        name: fn.name.trim(),
        ...(fn.description.trim() ? { description: fn.description.trim() } : {}),
        parameters: parameters as Record<string, unknown>,
      },
    });
  }
  return {
    model: draft.model.trim(),
    name: draft.name.trim() || null,
    description: draft.description.trim() || null,
    instructions: draft.instructions || null,
    temperature: optionalNumber(draft.temperature, 'Temperature', 'assistant-temperature'),
    top_p: optionalNumber(draft.topP, 'Top P', 'assistant-top-p'),
    tools,
    tool_resources: {
      file_search: {
        vector_store_ids: draft.fileSearch && draft.vectorStoreId ? [draft.vectorStoreId] : [],
      },
    },
  };
}

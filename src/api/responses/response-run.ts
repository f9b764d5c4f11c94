/**
 * A response request as a run: the unsaved assistant built from it (model, instructions, tools,
 * text.format as response_format, temperature, top_p), the run settings, the tool resources its
 * tools carry, and the response object it starts as.
 */
import type { Assistant, AssistantTool, ResponseFormat } from '../../domain/assistant.ts';
import { nowSeconds } from '../../domain/clock.ts';
import type { ToolResourcesInput } from '../../domain/new-thread.ts';
import type { Response, ResponseTextFormat } from '../../domain/response.ts';
import type { RunParams } from '../../engine/runs-engine.ts';
import { shownTools } from './response-mcp.ts';
import type { ResponseCreateParams } from './responses.schemas.ts';

function assistantTool(tool: Response['tools'][number]): AssistantTool {
  switch (tool.type) {
    case 'function':
      return {
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          ...(tool.parameters ? { parameters: tool.parameters } : {}),
          ...(tool.strict !== null ? { strict: tool.strict } : {}),
        },
      };
    case 'file_search': {
      const options = {
        ...(tool.max_num_results ? { max_num_results: tool.max_num_results } : {}),
        ...(tool.ranking_options?.score_threshold !== undefined
          ? {
              ranking_options: {
                score_threshold: tool.ranking_options.score_threshold,
                ...(tool.ranking_options.ranker ? { ranker: tool.ranking_options.ranker } : {}),
              },
            }
          : {}),
      };
      return {
        type: 'file_search',
        ...(Object.keys(options).length ? { file_search: options } : {}),
      };
    }
    case 'code_interpreter':
      return { type: 'code_interpreter' };
    case 'service_agent':
    case 'mcp':
      return tool;
  }
}

function responseFormat(format: ResponseTextFormat): ResponseFormat {
  if (format.type !== 'json_schema') return format;
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description ? { description: format.description } : {}),
      ...(format.strict != null ? { strict: format.strict } : {}),
    },
  };
}

/** The response object a request starts as (queued, no output). */
export function newResponse(id: string, params: ResponseCreateParams, store: boolean): Response {
  const tools: Response['tools'] = shownTools(
    (params.tools ?? []).map((tool) =>
      tool.type === 'function'
        ? {
            type: 'function',
            name: tool.name,
            description: tool.description ?? null,
            parameters: tool.parameters ?? null,
            strict: tool.strict ?? true,
          }
        : tool,
    ),
  );
  return {
    id,
    object: 'response',
    created_at: nowSeconds(),
    status: 'queued',
    background: params.background ?? false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: params.instructions ?? null,
    max_output_tokens: params.max_output_tokens ?? null,
    max_tool_calls: params.max_tool_calls ?? null,
    model: params.model,
    output: [],
    parallel_tool_calls: params.parallel_tool_calls ?? true,
    previous_response_id: params.previous_response_id ?? null,
    reasoning: {
      effort: params.reasoning?.effort ?? null,
      summary: params.reasoning?.summary ?? null,
    },
    store,
    temperature: params.temperature ?? 1,
    text: { format: params.text?.format ?? { type: 'text' } },
    tool_choice: params.tool_choice ?? 'auto',
    tools,
    top_p: params.top_p ?? 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    top_logprobs: 0,
    // Whatever tier was asked for, the one this server has is the default.
    service_tier: 'default',
    safety_identifier: params.safety_identifier ?? null,
    prompt_cache_key: params.prompt_cache_key ?? null,
    truncation: params.truncation ?? 'disabled',
    usage: null,
    metadata: params.metadata ?? {},
    conversation: null,
  };
}

/** The tool resources a response's tools carry (vector stores; a container holds its own files). */
export function toolResourcesOf(response: Response): ToolResourcesInput {
  const vectorStoreIds = response.tools.flatMap((tool) =>
    tool.type === 'file_search' ? tool.vector_store_ids : [],
  );
  return vectorStoreIds.length ? { file_search: { vector_store_ids: vectorStoreIds } } : {};
}

/** The unsaved assistant a response runs as, and the run's settings. */
export function responseAssistant(
  response: Response,
  extraInstructions: string[],
): { assistant: Assistant; settings: RunParams } {
  const instructions = [response.instructions, ...extraInstructions].filter(Boolean).join('\n\n');
  const choice = response.tool_choice;
  const assistant: Assistant = {
    id: response.id,
    object: 'assistant',
    created_at: response.created_at,
    name: null,
    description: null,
    model: response.model,
    instructions: instructions || null,
    tools: response.tools.map(assistantTool),
    tool_resources: {},
    metadata: {},
    temperature: response.temperature,
    top_p: response.top_p,
    response_format: responseFormat(response.text.format),
    reasoning_effort: null,
  };
  const settings: RunParams = {
    max_completion_tokens: response.max_output_tokens,
    parallel_tool_calls: response.parallel_tool_calls,
    tool_choice:
      typeof choice === 'string'
        ? choice
        : choice.type === 'function'
          ? { type: 'function', function: { name: choice.name } }
          : choice,
    metadata: response.metadata,
  };
  return { assistant, settings };
}

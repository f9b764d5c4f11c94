/**
 * A `ModelRequest` as an OpenAI chat-completions streaming body, field for field what the AI SDK's
 * OpenAI-compatible provider sends for it (with our two fix-ups: `parallel_tool_calls` and an image's
 * `detail`), so switching adapters changes nothing upstream sees.
 */
import type { ModelAssistantPart, ModelContentPart, ModelRequest } from '../language-model.ts';

type WireMessage = Record<string, unknown>;

function userContent(content: ModelContentPart[]): unknown {
  if (content.length === 1 && content[0]!.type === 'text') return content[0]!.text;
  return content.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const mediaType = part.mediaType === 'image/*' ? 'image/jpeg' : part.mediaType;
    const url =
      part.image instanceof URL
        ? part.image.toString()
        : `data:${mediaType};base64,${Buffer.from(part.image).toString('base64')}`;
    return { type: 'image_url', image_url: part.detail ? { url, detail: part.detail } : { url } };
  });
}

/** The arguments as the AI SDK re-serializes them: valid JSON normalized, anything else as a string. */
function wireArguments(text: string): string {
  let input: unknown;
  try {
    input = JSON.parse(text === '' ? '{}' : text);
  } catch {
    input = text;
  }
  if (typeof input !== 'string') return JSON.stringify(input);
  try {
    JSON.parse(input);
    return input;
  } catch {
    return JSON.stringify(input);
  }
}

/** An assistant turn; its reasoning rides in `reasoning_content`, as the AI SDK sends it. */
function assistantMessage(content: ModelAssistantPart[]) {
  let text = '';
  let reasoning = '';
  const calls: WireMessage[] = [];
  for (const part of content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else
      calls.push({
        id: part.toolCallId,
        type: 'function',
        function: { name: part.toolName, arguments: wireArguments(part.arguments) },
      });
  }
  const thought = reasoning ? { reasoning_content: reasoning } : {};
  return calls.length > 0
    ? { role: 'assistant', content: text || null, ...thought, tool_calls: calls }
    : { role: 'assistant', content: text, ...thought };
}

function messages(request: ModelRequest): WireMessage[] {
  const wire: WireMessage[] = [];
  if (request.system) wire.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    if (message.role === 'user') wire.push({ role: 'user', content: userContent(message.content) });
    else if (message.role === 'assistant') wire.push(assistantMessage(message.content));
    else
      for (const result of message.content)
        wire.push({ role: 'tool', tool_call_id: result.toolCallId, content: result.output });
  }
  return wire;
}

function responseFormat(format: ModelRequest['responseFormat']): unknown {
  if (!format || format.type === 'text') return undefined;
  if (!format.schema) return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: {
      schema: format.schema,
      strict: true,
      name: format.name ?? 'response',
      description: format.description,
    },
  };
}

/**
 * The JSON body of a streamed chat completion for `modelId` (the resolved id; undefined fields are
 * left out by JSON.stringify).
 */
export function chatCompletionBody(
  request: ModelRequest,
  modelId: string,
): Record<string, unknown> {
  const withTools = request.tools.length > 0;
  const choice = request.toolChoice;
  return {
    model: modelId,
    max_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    response_format: responseFormat(request.responseFormat),
    ...(request.reasoningEffort ? { reasoning_effort: request.reasoningEffort } : {}),
    messages: messages(request),
    tools: withTools
      ? request.tools.map((tool) => ({
          type: 'function',
          function: {
            name: tool.name,
            description: tool.description,
            parameters: tool.parameters,
            ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
          },
        }))
      : undefined,
    tool_choice: !withTools
      ? undefined
      : typeof choice === 'string'
        ? choice
        : { type: 'function', function: { name: choice.toolName } },
    ...(withTools && !request.parallelToolCalls ? { parallel_tool_calls: false } : {}),
    stream: true,
    stream_options: { include_usage: true },
  };
}

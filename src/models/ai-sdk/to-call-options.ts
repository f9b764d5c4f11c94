/** Our `ModelRequest` as AI SDK `LanguageModelV3CallOptions`. */
import type {
  JSONSchema7,
  LanguageModelV3CallOptions,
  LanguageModelV3Message,
  LanguageModelV3ToolChoice,
} from '@ai-sdk/provider';
import type { ModelContentPart, ModelRequest, ModelToolChoice } from '../language-model.ts';

function toolChoice(choice: ModelToolChoice): LanguageModelV3ToolChoice {
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', toolName: choice.toolName };
}

/** Parses tool-call arguments for providers that want an object; malformed JSON is passed as text. */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    return text;
  }
}

function userPart(part: ModelContentPart, providerOptionsName: string) {
  if (part.type === 'text') return { type: 'text' as const, text: part.text };
  return {
    type: 'file' as const,
    data: part.image,
    mediaType: part.mediaType,
    // Each provider reads the detail from its own options; see also the request-body fix-up in providers.ts.
    ...(part.detail
      ? {
          providerOptions: {
            openai: { imageDetail: part.detail },
            [providerOptionsName]: { conciergeImageDetail: part.detail },
          },
        }
      : {}),
  };
}

export function toCallOptions(
  request: ModelRequest,
  providerOptionsName: string,
  signal: AbortSignal,
): LanguageModelV3CallOptions {
  const prompt: LanguageModelV3Message[] = [];
  if (request.system) prompt.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    switch (message.role) {
      case 'user':
        prompt.push({
          role: 'user',
          content: message.content.map((part) => userPart(part, providerOptionsName)),
        });
        break;
      case 'assistant':
        prompt.push({
          role: 'assistant',
          // Reasoning goes to the provider, which replays what its API reads back (reasoning_content
          // for OpenAI-compatible upstreams) and drops what it cannot (Anthropic without a signature).
          content: message.content.map((part) =>
            part.type === 'text' || part.type === 'reasoning'
              ? part
              : {
                  type: 'tool-call' as const,
                  toolCallId: part.toolCallId,
                  toolName: part.toolName,
                  input: parseArguments(part.arguments),
                },
          ),
        });
        break;
      case 'tool':
        prompt.push({
          role: 'tool',
          content: message.content.map((part) => ({
            type: 'tool-result' as const,
            toolCallId: part.toolCallId,
            toolName: part.toolName,
            output: { type: 'text' as const, value: part.output },
          })),
        });
        break;
    }
  }
  const parallel = { parallelToolCalls: request.parallelToolCalls };
  return {
    prompt,
    abortSignal: signal,
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
    ...(request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function' as const,
            name: tool.name,
            ...(tool.description !== undefined ? { description: tool.description } : {}),
            inputSchema: tool.parameters as JSONSchema7,
            ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
          })),
          toolChoice: toolChoice(request.toolChoice),
        }
      : {}),
    ...(request.responseFormat
      ? {
          responseFormat:
            request.responseFormat.type === 'text'
              ? { type: 'text' as const }
              : {
                  type: 'json' as const,
                  ...(request.responseFormat.schema
                    ? { schema: request.responseFormat.schema as JSONSchema7 }
                    : {}),
                  ...(request.responseFormat.name ? { name: request.responseFormat.name } : {}),
                  ...(request.responseFormat.description
                    ? { description: request.responseFormat.description }
                    : {}),
                },
        }
      : {}),
    providerOptions: {
      openai: {
        ...parallel,
        ...(request.reasoningEffort ? { reasoningEffort: request.reasoningEffort } : {}),
      },
      anthropic: { disableParallelToolUse: !request.parallelToolCalls },
      [providerOptionsName]: {
        conciergeParallelToolCalls: request.parallelToolCalls,
        ...(request.reasoningEffort ? { reasoningEffort: request.reasoningEffort } : {}),
      },
    },
  };
}

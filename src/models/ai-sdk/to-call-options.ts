/** Our `ModelRequest` as AI SDK `LanguageModelV3CallOptions`. */
import type {
  JSONSchema7,
  JSONValue,
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

/**
 * Anthropic's extended thinking for a `reasoning_effort`: a thinking budget in tokens, which the
 * provider adds to `max_tokens` (docs/compatibility.md). `none` (or no effort) leaves thinking off.
 */
export const ANTHROPIC_THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: 32768,
};

function anthropicThinking(effort: string | undefined): Record<string, JSONValue> {
  const budgetTokens = effort ? ANTHROPIC_THINKING_BUDGETS[effort] : undefined;
  return budgetTokens ? { thinking: { type: 'enabled' as const, budgetTokens } } : {};
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
          // for OpenAI-compatible upstreams, signed thinking for Anthropic) and drops what it cannot
          // (Anthropic's thinking without a signature).
          content: message.content.map((part) =>
            part.type === 'text'
              ? part
              : part.type === 'reasoning'
                ? {
                    type: 'reasoning' as const,
                    text: part.text,
                    ...(part.signature
                      ? { providerOptions: { anthropic: { signature: part.signature } } }
                      : {}),
                  }
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
    providerOptions: providerOptions(request, providerOptionsName),
  };
}

/**
 * The options each provider reads: OpenAI's and Anthropic's own, and our markers under the
 * configured provider's key (merged with its own options when it is OpenAI or Anthropic).
 */
function providerOptions(request: ModelRequest, providerOptionsName: string) {
  const effort: Record<string, JSONValue> = request.reasoningEffort
    ? { reasoningEffort: request.reasoningEffort }
    : {};
  const known: Record<string, Record<string, JSONValue>> = {
    openai: { parallelToolCalls: request.parallelToolCalls, ...effort },
    anthropic: {
      disableParallelToolUse: !request.parallelToolCalls,
      ...anthropicThinking(request.reasoningEffort),
    },
  };
  return {
    ...known,
    [providerOptionsName]: {
      ...known[providerOptionsName],
      conciergeParallelToolCalls: request.parallelToolCalls,
      ...effort,
    },
  };
}

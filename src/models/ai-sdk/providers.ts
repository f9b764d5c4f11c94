/**
 * Builds AI SDK provider models from configuration. The OpenAI-compatible adapter needs two fix-ups
 * that its request conversion does not do: `parallel_tool_calls` and an image part's `detail`.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ProviderConfig } from '../../config/config-schema.ts';

type Body = Record<string, unknown> & { messages?: Array<{ content?: unknown }> };

/** Moves our markers into the places the OpenAI chat wire format expects them. */
export function fixOpenAICompatibleBody(body: Body): Body {
  const { conciergeParallelToolCalls, ...rest } = body as Body & {
    conciergeParallelToolCalls?: boolean;
  };
  const fixed: Body = { ...rest };
  if (conciergeParallelToolCalls === false && Array.isArray(fixed['tools']))
    fixed['parallel_tool_calls'] = false;
  fixed.messages = fixed.messages?.map((message) => {
    if (!Array.isArray(message.content)) return message;
    return {
      ...message,
      content: message.content.map((part: Record<string, unknown>) => {
        const { conciergeImageDetail, ...partRest } = part as Record<string, unknown> & {
          conciergeImageDetail?: string;
        };
        if (conciergeImageDetail === undefined || partRest['type'] !== 'image_url') return partRest;
        return {
          ...partRest,
          image_url: { ...(partRest['image_url'] as object), detail: conciergeImageDetail },
        };
      }),
    };
  });
  return fixed;
}

/** The AI SDK model for `modelId` on a configured provider, and the key its provider options go under. */
export function createProviderModel(
  config: ProviderConfig,
  modelId: string,
  fetch?: typeof globalThis.fetch,
): { model: LanguageModelV3; optionsName: string } {
  const common = fetch ? { fetch } : {};
  switch (config.type) {
    case 'openai':
      return {
        model: createOpenAI({
          ...(config.baseURL ? { baseURL: config.baseURL } : {}),
          ...(config.apiKey ? { apiKey: config.apiKey } : {}),
          ...(config.headers ? { headers: config.headers } : {}),
          ...common,
        }).chat(modelId),
        optionsName: 'openai',
      };
    case 'anthropic':
      return {
        model: createAnthropic({
          ...(config.baseURL ? { baseURL: config.baseURL } : {}),
          ...(config.apiKey ? { apiKey: config.apiKey } : {}),
          ...(config.headers ? { headers: config.headers } : {}),
          ...common,
        }).languageModel(modelId),
        optionsName: 'anthropic',
      };
    case 'openai-compatible': {
      const optionsName = 'openaiCompatible';
      const provider = createOpenAICompatible({
        name: optionsName,
        baseURL: config.baseURL ?? 'https://api.openai.com/v1',
        ...(config.apiKey ? { apiKey: config.apiKey } : {}),
        ...(config.headers ? { headers: config.headers } : {}),
        ...common,
        includeUsage: true,
        supportsStructuredOutputs: true,
        transformRequestBody: (body) => fixOpenAICompatibleBody(body as Body),
      });
      return { model: provider.chatModel(modelId), optionsName };
    }
  }
}

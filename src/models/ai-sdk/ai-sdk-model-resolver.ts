/**
 * Resolves model names to AI SDK models: `<provider>/<model>` goes to a named provider from the
 * configuration, anything else to the default OpenAI-compatible upstream. A provider named `default`
 * in the configuration adds `visionModels`/`contextWindows` for the default upstream; the `models`
 * setting overrides both per model.
 */
import type { ModelConfig, ProviderConfig } from '../../config/config-schema.ts';
import type { LanguageModel, ModelCapabilities, ModelResolver } from '../language-model.ts';
import { knownContextWindow, knownVision } from '../model-knowledge.ts';
import { withResilience, type ResilienceOptions } from '../resilient-language-model.ts';
import { OpenAIChatLanguageModel } from '../openai-compatible/openai-chat-language-model.ts';

export interface AiSdkModelResolverOptions {
  defaultBaseUrl: string;
  defaultApiKey: string | undefined;
  providers: Record<string, ProviderConfig>;
  /** Per-model settings by model name (with or without the provider prefix). */
  models?: Record<string, ModelConfig>;
  resilience: ResilienceOptions;
  /** The fetch providers send requests with (tracing adds the trace context); the global one if unset. */
  fetch?: typeof fetch;
}

/**
 * The adapter for a provider: OpenAI-compatible upstreams (the default) get the lean streaming
 * adapter, measured faster to the first token (bench/README.md); the others the AI SDK's.
 */
function languageModel(
  provider: ProviderConfig,
  modelId: string,
  fetch: typeof globalThis.fetch | undefined,
): LanguageModel {
  if (provider.type === 'openai-compatible')
    return new OpenAIChatLanguageModel({
      baseURL: provider.baseURL ?? 'https://api.openai.com/v1',
      modelId,
      ...(provider.apiKey ? { apiKey: provider.apiKey } : {}),
      ...(provider.headers ? { headers: provider.headers } : {}),
    });
  // The AI SDK's provider packages load with the first call on one of these providers.
  let loaded: Promise<LanguageModel> | undefined;
  const load = () =>
    (loaded ??= Promise.all([import('./ai-sdk-language-model.ts'), import('./providers.ts')]).then(
      ([{ AiSdkLanguageModel }, { createProviderModel }]) => {
        const created = createProviderModel(provider, modelId, fetch);
        return new AiSdkLanguageModel(created.model, created.optionsName);
      },
    ));
  return {
    async *stream(request, signal) {
      yield* (await load()).stream(request, signal);
    },
  };
}

export function createAiSdkModelResolver(options: AiSdkModelResolverOptions): ModelResolver {
  const cache = new Map<string, LanguageModel>();
  const defaultProvider: ProviderConfig = {
    ...options.providers['default'],
    type: options.providers['default']?.type ?? 'openai-compatible',
    baseURL: options.providers['default']?.baseURL ?? options.defaultBaseUrl,
    ...(options.defaultApiKey ? { apiKey: options.defaultApiKey } : {}),
  };

  function route(modelName: string): {
    providerName: string;
    provider: ProviderConfig;
    modelId: string;
  } {
    const slash = modelName.indexOf('/');
    if (slash > 0) {
      const providerName = modelName.slice(0, slash);
      // Own keys only: `constructor/x` names no provider (Object.prototype's keys are not providers).
      const provider = Object.hasOwn(options.providers, providerName)
        ? options.providers[providerName]
        : undefined;
      if (provider && providerName !== 'default')
        return { providerName, provider, modelId: modelName.slice(slash + 1) };
    }
    return { providerName: 'default', provider: defaultProvider, modelId: modelName };
  }

  return {
    resolve(modelName) {
      const { providerName, provider, modelId } = route(modelName);
      const key = `${providerName}\u0000${modelId}`;
      let model = cache.get(key);
      if (!model) {
        model = withResilience(languageModel(provider, modelId, options.fetch), options.resilience);
        cache.set(key, model);
      }
      // The `models` config first, then the provider's lists, then the built-in table.
      const models = options.models ?? {};
      const configured =
        (Object.hasOwn(models, modelName) ? models[modelName] : undefined) ??
        (Object.hasOwn(models, modelId) ? models[modelId] : undefined) ??
        {};
      const capabilities: ModelCapabilities = {
        vision:
          configured.vision ??
          (provider.visionModels ? provider.visionModels.includes(modelId) : knownVision(modelId)),
        contextWindow:
          configured.context_window ??
          (provider.contextWindows && Object.hasOwn(provider.contextWindows, modelId)
            ? provider.contextWindows[modelId]
            : undefined) ??
          knownContextWindow(modelId),
        ...(configured.max_output_tokens ? { maxOutputTokens: configured.max_output_tokens } : {}),
      };
      return { model, modelId, capabilities };
    },
  };
}

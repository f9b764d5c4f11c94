/**
 * Routes `<provider>/<model>` to a GGUF model when `<provider>` is a llama-cpp provider, and every
 * other name to the resolver it wraps. Nothing loads until a run calls a local model: then
 * node-llama-cpp (once per app) and that model's file.
 */
import type { LlamaCppProviderConfig, ModelConfig } from '../../config/config-schema.ts';
import {
  ModelCallError,
  type LanguageModel,
  type ModelResolver,
  type ModelStreamPart,
} from '../language-model.ts';
import { withResilience, type ResilienceOptions } from '../resilient-language-model.ts';
import { LlamaCppLanguageModel } from './llama-cpp-language-model.ts';
import { startLlamaRuntime, type LlamaRuntime } from './load-gguf-model.ts';

export interface LlamaCppModelResolverOptions {
  providers: Record<string, LlamaCppProviderConfig>;
  /** Per-model settings by model name, as in the AI SDK resolver. */
  models?: Record<string, ModelConfig>;
  resilience: ResilienceOptions;
  /** Resolves every name that is not a llama-cpp provider's. */
  fallback: ModelResolver;
}

export interface LlamaCppModelResolver extends ModelResolver {
  /** Frees every loaded model and the llama.cpp runtime. */
  close(): Promise<void>;
}

export function createLlamaCppModelResolver(
  options: LlamaCppModelResolverOptions,
): LlamaCppModelResolver {
  const configs = Object.values(options.providers);
  const maxThreads = Math.max(1, ...configs.map((provider) => provider.threads));
  let runtime: Promise<LlamaRuntime> | undefined;
  const startRuntime = () => {
    runtime ??= startLlamaRuntime(maxThreads).catch((error: unknown) => {
      runtime = undefined;
      throw error;
    });
    return runtime;
  };
  const local = new Map<string, LlamaCppLanguageModel>();
  const resolved = new Map<string, LanguageModel>();

  function modelFor(name: string, providerName: string, modelId: string): LanguageModel {
    const provider = options.providers[providerName]!;
    const path = Object.hasOwn(provider.gguf, modelId) ? provider.gguf[modelId] : undefined;
    if (path === undefined) return unknownModel(name, providerName, provider);
    const model = new LlamaCppLanguageModel(
      {
        name,
        path,
        contextSize: provider.contextSize,
        threads: provider.threads,
        maxConcurrentGenerations: provider.maxConcurrentGenerations,
      },
      startRuntime,
    );
    local.set(name, model);
    return withResilience(model, options.resilience);
  }

  return {
    resolve(modelName) {
      const slash = modelName.indexOf('/');
      const providerName = slash > 0 ? modelName.slice(0, slash) : '';
      if (!Object.hasOwn(options.providers, providerName))
        return options.fallback.resolve(modelName);
      const modelId = modelName.slice(slash + 1);
      let model = resolved.get(modelName);
      if (!model) {
        model = modelFor(modelName, providerName, modelId);
        resolved.set(modelName, model);
      }
      const models = options.models ?? {};
      const configured =
        (Object.hasOwn(models, modelName) ? models[modelName] : undefined) ??
        (Object.hasOwn(models, modelId) ? models[modelId] : undefined) ??
        {};
      const contextWindow = Math.min(
        configured.context_window ?? Number.POSITIVE_INFINITY,
        options.providers[providerName]!.contextSize,
      );
      return {
        model,
        modelId,
        capabilities: {
          vision: false,
          contextWindow,
          ...(configured.max_output_tokens
            ? { maxOutputTokens: configured.max_output_tokens }
            : {}),
        },
      };
    },
    async close() {
      const models = [...local.values()];
      local.clear();
      resolved.clear();
      await Promise.all(models.map((model) => model.close()));
      const started = await runtime?.catch(() => undefined);
      runtime = undefined;
      await started?.llama.dispose();
    },
  };
}

/** A model name the provider does not list: every call fails, saying which names it has. */
function unknownModel(
  name: string,
  providerName: string,
  provider: LlamaCppProviderConfig,
): LanguageModel {
  return {
    // eslint-disable-next-line require-yield
    async *stream(): AsyncIterable<ModelStreamPart> {
      throw new ModelCallError(
        `The model "${name}" does not exist: the llama-cpp provider "${providerName}" has ${Object.keys(
          provider.gguf,
        )
          .map((id) => `"${providerName}/${id}"`)
          .join(', ')}.`,
        'invalid_prompt',
        false,
      );
    },
  };
}

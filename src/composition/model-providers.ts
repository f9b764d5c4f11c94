/**
 * The model resolver of the app: the AI SDK for upstream providers, and llama.cpp in this process for
 * llama-cpp providers (only when one is configured, and loaded on its first call).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config, LlamaCppProviderConfig, ProviderConfig } from '../config/config-schema.ts';
import { createAiSdkModelResolver } from '../models/ai-sdk/ai-sdk-model-resolver.ts';
import type { ModelResolver } from '../models/language-model.ts';
import type { ResilienceOptions } from '../models/resilient-language-model.ts';
import type { CloserStack } from './closer-stack.ts';
import type { RelayLog } from './log-relay.ts';

export async function createModelProviders(
  config: Config,
  resilience: ResilienceOptions,
  closers: CloserStack,
  log: RelayLog,
  fetch?: typeof globalThis.fetch,
): Promise<ModelResolver> {
  const remote: Record<string, ProviderConfig> = {};
  const local: Record<string, LlamaCppProviderConfig> = {};
  for (const [name, provider] of Object.entries(config.providers)) {
    if (provider.type === 'llama-cpp') local[name] = provider;
    else remote[name] = provider;
  }
  const upstream = createAiSdkModelResolver({
    defaultBaseUrl: config.providerBaseUrl,
    defaultApiKey: config.providerApiKey,
    providers: remote,
    models: config.models,
    resilience,
    ...(fetch ? { fetch } : {}),
  });
  if (Object.keys(local).length === 0) return upstream;
  // Said once at start-up; a run on a model that cannot load fails with the same reason.
  for (const [providerName, provider] of Object.entries(local))
    for (const [model, path] of Object.entries(provider.gguf))
      if (!existsSync(resolve(path)))
        log.warn(
          { model: `${providerName}/${model}`, path: resolve(path) },
          'GGUF model file not found: runs on this model will fail until it exists',
        );
  // The llama-cpp adapter's modules load only when a local provider is configured (and
  // node-llama-cpp itself only with the first run on one of its models).
  const { createLlamaCppModelResolver } =
    await import('../models/llama-cpp/llama-cpp-model-resolver.ts');
  const resolver = createLlamaCppModelResolver({
    providers: local,
    models: config.models,
    resilience,
    fallback: upstream,
  });
  closers.push('local models', () => resolver.close());
  return resolver;
}

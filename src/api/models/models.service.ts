/**
 * The models this server knows: every model a configured provider lists in its `models` array (for
 * a llama-cpp provider, the names of its `gguf` files), named the way a run must name it
 * (`<provider>/<model>`, or bare for the provider named `default`).
 */
import type { ConfiguredProvider } from '../../config/config-schema.ts';

/** OpenAI's Model object. */
export interface Model {
  id: string;
  object: 'model';
  /** When this server started knowing the model (its start time): providers do not report it. */
  created: number;
  /** The configured provider that serves it. */
  owned_by: string;
}

/** Lists the configured models, in the order the configuration gives them, each id once. */
export function listConfiguredModels(
  providers: Record<string, ConfiguredProvider>,
  created: number,
): Model[] {
  const models = new Map<string, Model>();
  for (const [providerName, provider] of Object.entries(providers)) {
    const names =
      provider.type === 'llama-cpp' ? Object.keys(provider.gguf) : (provider.models ?? []);
    for (const model of names) {
      const id = providerName === 'default' ? model : `${providerName}/${model}`;
      if (!models.has(id)) models.set(id, { id, object: 'model', created, owned_by: providerName });
    }
  }
  return [...models.values()];
}

/**
 * A built-in service agent whose code loads on its first `prepare` or `execute`: what serving needs
 * before that (its id, description and input schema) comes from light modules, so the chain code
 * (viem, the x402 SDK) stays off the start-up path. Concurrent first calls share one load; a load that
 * fails is forgotten, so the next call tries again and reports its own error.
 */
import type { BuiltinServiceAgent } from './builtin-agent.ts';

export interface LoadedBuiltinAgent {
  agent: BuiltinServiceAgent;
  /** Releases what the agent holds (a listening demo merchant, …). */
  close?(): Promise<void>;
}

export interface LazyBuiltinAgent {
  agent: BuiltinServiceAgent;
  /** Closes the loaded agent, if it was ever loaded. */
  close(): Promise<void>;
}

export interface BuiltinAgentDefinition {
  builtin: string;
  description: string;
  /** See `BuiltinServiceAgent.dedupesExecution`: known before the agent's code loads. */
  dedupesExecution?: boolean;
  /** Built when first read (a zod schema's JSON Schema takes milliseconds to derive). */
  inputSchema(): Record<string, unknown>;
}

export function createLazyBuiltinAgent(
  definition: BuiltinAgentDefinition,
  load: () => Promise<LoadedBuiltinAgent>,
): LazyBuiltinAgent {
  let inputSchema: Record<string, unknown> | undefined;
  let loading: Promise<LoadedBuiltinAgent> | undefined;
  const loaded = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    agent: {
      builtin: definition.builtin,
      description: definition.description,
      ...(definition.dedupesExecution ? { dedupesExecution: true } : {}),
      get inputSchema() {
        return (inputSchema ??= definition.inputSchema());
      },
      prepare: async (input, context) => (await loaded()).agent.prepare(input, context),
      execute: async (proposal, context) => (await loaded()).agent.execute(proposal, context),
    },
    async close() {
      const running = loading;
      loading = undefined;
      const instance = await running?.catch(() => undefined);
      await instance?.close?.();
    },
  };
}

/**
 * Service agents: the chain (the embedded dev chain, or any JSON-RPC URL), the built-ins from the
 * registry, and the client for remote A2A agents.
 */
import { join } from 'node:path';
import type { Chain } from '../chain/chain.ts';
import { createSolcCompiler } from '../chain/compiler/solc-compiler.ts';
import { createDemoMarket } from '../chain/contracts/demo-market.ts';
import { createDevChain } from '../chain/dev-chain/dev-chain.ts';
import { createRpcChain } from '../chain/rpc-chain/rpc-chain.ts';
import type { Config } from '../config/config-schema.ts';
import { createA2aClient, type A2aClient } from '../service-agents/a2a/a2a-client.ts';
import { resolveA2aAllowedHosts } from '../service-agents/a2a/allowed-hosts.ts';
import type { BuiltinServiceAgent } from '../service-agents/builtin-agent.ts';
import type { AppOverrides } from './app-types.ts';
import { BUILTIN_AGENTS, builtinLedger, type BuiltinAgentEntry } from './builtin-agents.ts';
import type { CloserStack } from './closer-stack.ts';
import type { Tracing } from './tracing.ts';
import { tracedFetch } from '../telemetry/trace-propagation.ts';

export interface ServiceAgentsPart {
  chain: Chain;
  /** The tests' own built-ins (from the overrides) first, then the registry's. */
  builtinAgents: BuiltinServiceAgent[];
  /** Limited to `a2aAllowedHosts`. */
  a2aClient: A2aClient;
}

export function createServiceAgentsPart(
  config: Config,
  overrides: AppOverrides,
  closers: CloserStack,
  tracing: Tracing | undefined,
  registry: readonly BuiltinAgentEntry[] = BUILTIN_AGENTS,
): ServiceAgentsPart {
  const compiler = createSolcCompiler();
  closers.push('solc compiler', () => compiler.close());
  // The embedded dev chain starts on first use; any JSON-RPC URL replaces it.
  const chain =
    overrides.chain ??
    (config.chainRpcUrl
      ? createRpcChain({ url: config.chainRpcUrl, privateKey: config.chainPrivateKey })
      : createDevChain({ dataDir: config.dataDir }));
  closers.push('chain', () => chain.close());
  const demoMarket = createDemoMarket({
    chain,
    compiler,
    directory: join(config.dataDir, 'chain'),
  });
  const builtinAgents = [...(overrides.builtinAgents ?? [])];
  for (const entry of registry) {
    const ledger = () => builtinLedger(config.dataDir, entry.builtin);
    const instance = entry.create({ config, chain, compiler, demoMarket, ledger });
    if (!instance) continue;
    builtinAgents.push(instance.agent);
    const { close } = instance;
    if (close) closers.push(`built-in agent ${entry.builtin}`, () => close.call(instance));
  }
  const a2aClient = createA2aClient({
    allowedHosts: resolveA2aAllowedHosts(config),
    // With tracing on, each A2A request carries the trace context of the run that sent it.
    ...(tracing ? { fetch: tracedFetch((input, init) => fetch(input, init)) } : {}),
  });
  return { chain, builtinAgents, a2aClient };
}

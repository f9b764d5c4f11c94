/**
 * Service agents: the chain (the embedded dev chain, or any JSON-RPC URL), the built-ins from the
 * registry, and the client for remote A2A agents.
 */
import { join } from 'node:path';
import type { Chain } from '../chain/chain.ts';
import { createSolcCompiler } from '../chain/compiler/solc-compiler.ts';
import type { DemoMarketDeployer } from '../chain/contracts/demo-market.ts';
import { createLazyChain } from '../chain/viem-chain/lazy-chain.ts';
import type { Config } from '../config/config-schema.ts';
import type { A2aClient } from '../service-agents/a2a/a2a-client.ts';
import { createLazyA2aClient } from '../service-agents/a2a/lazy-a2a-client.ts';
import { resolveA2aAllowedHosts } from '../service-agents/a2a/allowed-hosts.ts';
import { createActionLeases, type ActionLeases } from '../service-agents/action-leases.ts';
import type { BuiltinServiceAgent } from '../service-agents/builtin-agent.ts';
import {
  createGuardedInputValidator,
  type GuardedInputValidator,
} from '../service-agents/guarded-input-validation.ts';
import { createLazyBuiltinAgent } from '../service-agents/lazy-builtin-agent.ts';
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
  /** This process's leases on the actions it executes (`leaseSeconds`, like a run's). */
  actionLeases: ActionLeases;
  /** Checks calls' arguments against input schemas; one worker for those with patterns. */
  inputValidator: GuardedInputValidator;
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
  // The chain's code (viem, and EDR for the embedded dev chain) loads with its first call, and the
  // dev chain starts then; any JSON-RPC URL replaces it.
  const { chainRpcUrl, chainPrivateKey, dataDir } = config;
  const chain =
    overrides.chain ??
    (chainRpcUrl
      ? createLazyChain('rpc', async () => {
          const { createRpcChain } = await import('../chain/rpc-chain/rpc-chain.ts');
          return createRpcChain({ url: chainRpcUrl, privateKey: chainPrivateKey });
        })
      : createLazyChain('dev', async () => {
          const { createDevChain } = await import('../chain/dev-chain/dev-chain.ts');
          return createDevChain({ dataDir });
        }));
  closers.push('chain', () => chain.close());
  let market: Promise<DemoMarketDeployer> | undefined;
  const demoMarket: DemoMarketDeployer = {
    async ensure() {
      market ??= import('../chain/contracts/demo-market.ts').then(({ createDemoMarket }) =>
        createDemoMarket({ chain, compiler, directory: join(dataDir, 'chain') }),
      );
      return (await market).ensure();
    },
  };
  const builtinAgents = [...(overrides.builtinAgents ?? [])];
  for (const entry of registry) {
    if (entry.offered && !entry.offered({ config, chain })) continue;
    const ledger = () => builtinLedger(dataDir, entry.builtin);
    const { agent, close } = createLazyBuiltinAgent(entry, () =>
      entry.load({ config, chain, compiler, demoMarket, ledger }),
    );
    builtinAgents.push(agent);
    closers.push(`built-in agent ${entry.builtin}`, close);
  }
  const a2aClient = createLazyA2aClient({
    allowedHosts: resolveA2aAllowedHosts(config),
    // With tracing on, each A2A request carries the trace context of the run that sent it.
    ...(tracing ? { fetch: tracedFetch((input, init) => fetch(input, init)) } : {}),
  });
  const actionLeases =
    overrides.actionLeases ?? createActionLeases({ durationMs: config.leaseSeconds * 1000 });
  // A closing process stops renewing: what it still executes becomes recoverable once its lease lapses.
  closers.push('action leases', () => actionLeases.stop());
  // Closed after the runs drain (closers run in reverse): nothing validates arguments after it.
  const inputValidator = createGuardedInputValidator();
  closers.push('input validation worker', () => inputValidator.close());
  return { chain, builtinAgents, a2aClient, actionLeases, inputValidator };
}

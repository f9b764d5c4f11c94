/**
 * The registry of built-in service agents: each is listed here once, with its description and input
 * schema (from light modules, needed at start) and how it is loaded, on first use, from what the
 * built-ins share. Adding one means writing it under `src/service-agents/builtin/<id>/` and adding
 * one entry below; `createApp` never names an agent.
 */
import { join } from 'node:path';
import type { Chain } from '../chain/chain.ts';
import type { SolidityCompiler } from '../chain/solidity-compiler.ts';
import type { DemoMarketDeployer } from '../chain/contracts/demo-market.ts';
import type { Config } from '../config/config-schema.ts';
import { ConfigError } from '../config/load-config.ts';
import {
  createFileExecutionLedger,
  type ExecutionLedger,
} from '../service-agents/builtin/execution-ledger.ts';
import {
  PURCHASING_AGENT_DESCRIPTION,
  PURCHASING_INPUT_SCHEMA,
} from '../service-agents/builtin/purchasing/purchasing-input.ts';
import {
  SMART_CONTRACT_AGENT_DESCRIPTION,
  smartContractInputJsonSchema,
} from '../service-agents/builtin/smart-contract/smart-contract-input.ts';
import {
  SWAP_AGENT_DESCRIPTION,
  swapInputJsonSchema,
} from '../service-agents/builtin/swap/swap-input.ts';
import type { LoadedBuiltinAgent } from '../service-agents/lazy-builtin-agent.ts';

/** What every built-in may use: built once, shared, closed by the composition. */
export interface BuiltinAgentShared {
  config: Config;
  chain: Chain;
  /** One solc worker, started on the first compile. */
  compiler: SolidityCompiler;
  /** On the dev chain: test tokens and a pool, deployed on first use. */
  demoMarket: DemoMarketDeployer;
  /**
   * This agent's execution ledger under the data directory, so an approved proposal never acts twice
   * (also across restarts). Call it once.
   */
  ledger(): ExecutionLedger;
}

export interface BuiltinAgentEntry {
  /** The `builtin` id users create agents from; also names its ledger's directory. */
  builtin: string;
  /** The default description of agents created from it. */
  description: string;
  /** The JSON schema of its task input. */
  inputSchema(): Record<string, unknown>;
  /** Whether its `execute` dedupes on the proposal id (`BuiltinServiceAgent.dedupesExecution`). */
  dedupesExecution?: boolean;
  /** False when this deployment cannot offer it (absent: always offered). */
  offered?(shared: Pick<BuiltinAgentShared, 'config' | 'chain'>): boolean;
  /**
   * Builds the agent (and an optional `close`) on its first `prepare` or `execute`: import its code
   * here, with `await import(…)`, so that it (and viem, the x402 SDK) stays off the start-up path.
   */
  load(shared: BuiltinAgentShared): Promise<LoadedBuiltinAgent>;
}

export const BUILTIN_AGENTS: readonly BuiltinAgentEntry[] = [
  {
    builtin: 'smart_contract',
    description: SMART_CONTRACT_AGENT_DESCRIPTION,
    inputSchema: smartContractInputJsonSchema,
    async load({ config, chain, compiler, ledger }) {
      const [{ createSmartContractAgent }, { createTemplateContractFactory }] = await Promise.all([
        import('../service-agents/builtin/smart-contract/smart-contract-agent.ts'),
        import('../chain/templates/template-contract-factory.ts'),
      ]);
      return {
        agent: createSmartContractAgent({
          chain,
          contracts: createTemplateContractFactory({ chain, compiler }),
          ledger: ledger(),
          // The dev chain's ether is worthless; a real chain's gas is valued only at a configured price.
          ethPriceUsd: config.chainEthPriceUsd ?? (chain.kind === 'dev' ? 0 : undefined),
        }),
      };
    },
  },
  {
    builtin: 'swap',
    description: SWAP_AGENT_DESCRIPTION,
    inputSchema: swapInputJsonSchema,
    // The only venue so far is the dev chain's pool; real venues for RPC chains plug in behind the
    // same SwapVenue port.
    offered: ({ chain }) => chain.kind === 'dev',
    async load({ chain, demoMarket, ledger }) {
      const [{ createDevPoolVenue }, { createVenueUsdPrices }, { createSwapAgent }] =
        await Promise.all([
          import('../chain/swap/dev-pool-venue.ts'),
          import('../service-agents/builtin/swap/venue-usd-prices.ts'),
          import('../service-agents/builtin/swap/swap-agent.ts'),
        ]);
      const venue = createDevPoolVenue({ chain, market: () => demoMarket.ensure() });
      const prices = createVenueUsdPrices({ venue, stablecoins: ['TUSD'] });
      return { agent: createSwapAgent({ chain, venue, prices, ledger: ledger() }) };
    },
  },
  {
    builtin: 'purchasing',
    description: PURCHASING_AGENT_DESCRIPTION,
    inputSchema: () => PURCHASING_INPUT_SCHEMA,
    // Both rails pay once per idempotency key (the proposal id): ACP's Idempotency-Key on every POST,
    // x402's ERC-3009 nonce derived from it.
    dedupesExecution: true,
    // Allowlisted merchants (ACP checkout, x402), or the demo merchant in the embedded default; its
    // x402 stablecoin defaults to the dev chain's Test USD from the demo market.
    async load({ config, chain, demoMarket }) {
      const { createPurchasing } =
        await import('../service-agents/builtin/purchasing/purchasing-setup.ts');
      return createPurchasing({
        config,
        chain,
        async demoAsset() {
          if (config.chainRpcUrl)
            throw new ConfigError(
              'purchasing.x402Asset must name the stablecoin x402 payments use on CONCIERGE_CHAIN_RPC_URL.',
            );
          const { DEMO_TOKEN_EIP712_VERSION } = await import('../chain/contracts/demo-market.ts');
          const usd = (await demoMarket.ensure()).tokens[0]!;
          return {
            address: usd.address,
            name: usd.name,
            version: DEMO_TOKEN_EIP712_VERSION,
            decimals: usd.decimals,
          };
        },
      });
    },
  },
];

/** The ledger directory of one built-in: `<dataDir>/service-agents/<builtin>/executions`. */
export function builtinLedger(dataDir: string, builtin: string): ExecutionLedger {
  return createFileExecutionLedger(join(dataDir, 'service-agents', builtin, 'executions'));
}

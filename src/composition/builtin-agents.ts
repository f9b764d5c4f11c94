/**
 * The registry of built-in service agents: each is listed here once, with how it is built from what
 * the built-ins share. Adding one means writing it under `src/service-agents/builtin/<id>/` and adding
 * one entry below; `createApp` never names an agent.
 */
import { join } from 'node:path';
import type { Chain } from '../chain/chain.ts';
import type { SolidityCompiler } from '../chain/solidity-compiler.ts';
import {
  DEMO_TOKEN_EIP712_VERSION,
  type DemoMarketDeployer,
} from '../chain/contracts/demo-market.ts';
import { createDevPoolVenue } from '../chain/swap/dev-pool-venue.ts';
import { createTemplateContractFactory } from '../chain/templates/template-contract-factory.ts';
import type { Config } from '../config/config-schema.ts';
import { ConfigError } from '../config/load-config.ts';
import type { BuiltinServiceAgent } from '../service-agents/builtin-agent.ts';
import {
  createFileExecutionLedger,
  type ExecutionLedger,
} from '../service-agents/builtin/execution-ledger.ts';
import { createPurchasing } from '../service-agents/builtin/purchasing/purchasing-setup.ts';
import { createSmartContractAgent } from '../service-agents/builtin/smart-contract/smart-contract-agent.ts';
import { createSwapAgent } from '../service-agents/builtin/swap/swap-agent.ts';
import { createVenueUsdPrices } from '../service-agents/builtin/swap/venue-usd-prices.ts';

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

export interface BuiltinAgentInstance {
  agent: BuiltinServiceAgent;
  /** Releases what the agent holds (a listening demo merchant, …); run at shutdown. */
  close?(): Promise<void>;
}

export interface BuiltinAgentEntry {
  /** The `builtin` id users create agents from; also names its ledger's directory. */
  builtin: string;
  /** Builds the agent, or undefined when this deployment cannot offer it. */
  create(shared: BuiltinAgentShared): BuiltinAgentInstance | undefined;
}

export const BUILTIN_AGENTS: readonly BuiltinAgentEntry[] = [
  {
    builtin: 'smart_contract',
    create: ({ config, chain, compiler, ledger }) => ({
      agent: createSmartContractAgent({
        chain,
        contracts: createTemplateContractFactory({ chain, compiler }),
        ledger: ledger(),
        // The dev chain's ether is worthless; a real chain's gas is valued only at a configured price.
        ethPriceUsd: config.chainEthPriceUsd ?? (chain.kind === 'dev' ? 0 : undefined),
      }),
    }),
  },
  {
    builtin: 'swap',
    // The only venue so far is the dev chain's pool; real venues for RPC chains plug in behind the
    // same SwapVenue port.
    create: ({ chain, demoMarket, ledger }) => {
      if (chain.kind !== 'dev') return undefined;
      const venue = createDevPoolVenue({ chain, market: () => demoMarket.ensure() });
      const prices = createVenueUsdPrices({ venue, stablecoins: ['TUSD'] });
      return { agent: createSwapAgent({ chain, venue, prices, ledger: ledger() }) };
    },
  },
  {
    builtin: 'purchasing',
    // Allowlisted merchants (ACP checkout, x402), or the demo merchant in the embedded default; its
    // x402 stablecoin defaults to the dev chain's Test USD from the demo market.
    create: ({ config, chain, demoMarket }) =>
      createPurchasing({
        config,
        chain,
        async demoAsset() {
          if (config.chainRpcUrl)
            throw new ConfigError(
              'purchasing.x402Asset must name the stablecoin x402 payments use on CONCIERGE_CHAIN_RPC_URL.',
            );
          const usd = (await demoMarket.ensure()).tokens[0]!;
          return {
            address: usd.address,
            name: usd.name,
            version: DEMO_TOKEN_EIP712_VERSION,
            decimals: usd.decimals,
          };
        },
      }),
  },
];

/** The ledger directory of one built-in: `<dataDir>/service-agents/<builtin>/executions`. */
export function builtinLedger(dataDir: string, builtin: string): ExecutionLedger {
  return createFileExecutionLedger(join(dataDir, 'service-agents', builtin, 'executions'));
}

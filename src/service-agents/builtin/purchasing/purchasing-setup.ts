/**
 * Builds the purchasing agent from the configuration: the allowlisted merchants, or, in the embedded
 * default (none configured, dev chain), a demo merchant running in this process on a loopback port of
 * its own, paid by the demo's test card (ACP) and in the dev chain's Test USD (x402). The registry
 * (`src/composition/builtin-agents.ts`) calls this; the composition owns the returned `close`.
 */
import type { Address } from 'viem';
import type { Chain } from '../../../chain/chain.ts';
import type { Config } from '../../../config/config-schema.ts';
import { Secret } from '../../../config/secret.ts';
import type { BuiltinServiceAgent } from '../../builtin-agent.ts';
import { createAcpRail } from './acp/acp-rail.ts';
import type { DemoMerchant } from './demo-merchant/demo-merchant.ts';
import { TEST_CARDS } from './demo-merchant/demo-psp.ts';
import {
  createMerchantDirectory,
  merchantFromConfig,
  type Merchant,
} from './merchant-directory.ts';
import { createPurchasingAgent } from './purchasing-agent.ts';
import { createX402Rail, type X402Asset } from './x402/x402-rail.ts';

/** Where the demo merchant is paid on the dev chain: Hardhat/Anvil account #1 (a publicly known key; test money only). */
export const DEMO_MERCHANT_PAY_TO: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const DEMO_SHIP_TO = {
  name: 'Concierge Demo',
  line_one: '1 Demo Street',
  city: 'Springfield',
  state: 'IL',
  country: 'US',
  postal_code: '62701',
};

export interface PurchasingSetupOptions {
  config: Config;
  chain: Chain;
  /** The dev chain's Test USD (deployed on first use); used when `purchasing.x402Asset` is unset. */
  demoAsset(): Promise<X402Asset>;
  timeoutMilliseconds?: number;
}

export interface PurchasingSetup {
  agent: BuiltinServiceAgent;
  close(): Promise<void>;
}

export function usesDemoMerchant(config: Config): boolean {
  const { demoMerchant, merchants } = config.purchasing;
  return (
    demoMerchant === 'on' ||
    (demoMerchant === 'auto' && merchants.length === 0 && !config.chainRpcUrl)
  );
}

export function createPurchasing({
  config,
  chain,
  demoAsset,
  timeoutMilliseconds,
}: PurchasingSetupOptions): PurchasingSetup {
  const settings = config.purchasing;
  const asset = async (): Promise<X402Asset> => {
    const configured = settings.x402Asset;
    return configured ? { ...configured, address: configured.address as Address } : demoAsset();
  };
  const configured = settings.merchants.map((merchant) =>
    merchantFromConfig(merchant, settings.card),
  );
  const usesDemo = usesDemoMerchant(config);
  // The demo merchant (a Fastify server, the x402 facilitator) loads and listens on the first
  // merchant lookup, not when the server starts; a start that failed is tried again next time.
  let demoMerchant: Promise<DemoMerchant> | undefined;
  const startDemoMerchant = () =>
    (demoMerchant ??= (async () => {
      const { createDemoMerchant } = await import('./demo-merchant/demo-merchant.ts');
      const merchant = createDemoMerchant({
        settlement: async () => ({ chain, asset: await asset(), payTo: DEMO_MERCHANT_PAY_TO }),
      });
      await merchant.listen({ host: '127.0.0.1', port: 0 });
      return merchant;
    })().catch((error: unknown) => {
      demoMerchant = undefined;
      throw error;
    }));
  const demoCard = {
    number: new Secret(TEST_CARDS.pays),
    exp_month: '12',
    exp_year: '2030',
    name: 'Concierge Demo',
    funding: 'credit' as const,
    brand: 'visa',
  };
  const merchants = createMerchantDirectory(async (): Promise<Merchant[]> => {
    if (!usesDemo) return configured;
    const merchant = await startDemoMerchant();
    const demo = merchantFromConfig(
      { id: merchant.id, baseUrl: merchant.url() },
      settings.card ?? demoCard,
    );
    return [...configured, demo];
  });
  // The demo merchant ships nothing, so the embedded default may use a placeholder address.
  const shipTo =
    settings.shipTo ?? (usesDemo && configured.length === 0 ? DEMO_SHIP_TO : undefined);
  const agent = createPurchasingAgent({
    merchants,
    rails: {
      acp: createAcpRail({
        ...(settings.buyer ? { buyer: settings.buyer } : {}),
        ...(timeoutMilliseconds ? { timeoutMilliseconds } : {}),
      }),
      x402: createX402Rail({
        chain,
        asset,
        ...(timeoutMilliseconds ? { timeoutMilliseconds } : {}),
      }),
    },
    maxPurchaseUsd: settings.maxPurchaseUsd,
    ...(shipTo ? { shipTo } : {}),
    x402AssetName: async () => (await asset()).address,
    ...(timeoutMilliseconds ? { timeoutMilliseconds } : {}),
  });
  return {
    agent,
    async close() {
      const started = await demoMerchant?.catch(() => undefined);
      await started?.close();
    },
  };
}

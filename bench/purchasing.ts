/**
 * Purchasing benchmark: what the two payment rails cost per purchase against the demo merchant on
 * loopback, each compared with a baseline measured in the same run (one catalog lookup round trip to
 * the same merchant). ACP: quote (create session + choose shipping) and pay (re-read, delegate a capped
 * token, complete). x402: quote (the 402 probe) and pay (re-probe, sign ERC-3009, settle on the dev chain).
 * Run: `node --import tsx bench/purchasing.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSolcCompiler } from '../src/chain/compiler/solc-compiler.ts';
import { createDemoMarket, DEMO_TOKEN_EIP712_VERSION } from '../src/chain/contracts/demo-market.ts';
import { createDevChain } from '../src/chain/dev-chain/dev-chain.ts';
import { Secret } from '../src/config/secret.ts';
import { createAcpRail } from '../src/service-agents/builtin/purchasing/acp/acp-rail.ts';
import {
  lookupProduct,
  type CatalogProduct,
} from '../src/service-agents/builtin/purchasing/catalog-search.ts';
import { createDemoMerchant } from '../src/service-agents/builtin/purchasing/demo-merchant/demo-merchant.ts';
import { TEST_CARDS } from '../src/service-agents/builtin/purchasing/demo-merchant/demo-psp.ts';
import { merchantFromConfig } from '../src/service-agents/builtin/purchasing/merchant-directory.ts';
import type { PaymentRail, Quote } from '../src/service-agents/builtin/purchasing/payment-rail.ts';
import { DEMO_MERCHANT_PAY_TO } from '../src/service-agents/builtin/purchasing/purchasing-setup.ts';
import { createX402Rail } from '../src/service-agents/builtin/purchasing/x402/x402-rail.ts';
import { machineDescription } from './lib/machine.ts';

async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const rows: Array<[string, number, string]> = [];
const dataDir = mkdtempSync(join(tmpdir(), 'concierge-bench-purchasing-'));
const compiler = createSolcCompiler();
const chain = createDevChain({ dataDir });
const signal = new AbortController().signal;
const shipTo = {
  name: 'Bench',
  line_one: '1 Road',
  city: 'Town',
  state: 'ST',
  country: 'US',
  postal_code: '12345',
};

try {
  const usd = (
    await createDemoMarket({ chain, compiler, directory: join(dataDir, 'chain') }).ensure()
  ).tokens[0]!;
  const asset = {
    address: usd.address,
    name: usd.name,
    version: DEMO_TOKEN_EIP712_VERSION,
    decimals: usd.decimals,
  };
  const shop = createDemoMerchant({
    settlement: async () => ({ chain, asset, payTo: DEMO_MERCHANT_PAY_TO }),
  });
  const merchant = merchantFromConfig(
    { id: shop.id, baseUrl: await shop.listen() },
    { number: new Secret(TEST_CARDS.pays), exp_month: '12', exp_year: '2030', funding: 'credit' },
  );
  shop.catalog.setStock('pens-blue-10', 1_000_000);
  const product = async (id: string): Promise<CatalogProduct> => {
    const found = await lookupProduct(merchant, id, { timeoutMilliseconds: 5_000, signal });
    if (found.status !== 'found') throw new Error(found.message);
    return found.product;
  };
  const pens = await product('pens-blue-10');
  const ebook = await product('ebook-productivity');

  await median(20, () => product('pens-blue-10'));
  const baseline = await median(50, () => product('pens-blue-10'));
  rows.push(['baseline: one catalog lookup round trip (median of 50)', baseline, '1×']);

  let key = 0;
  async function measure(label: string, rail: PaymentRail, item: CatalogProduct, runs: number) {
    const quote = async (): Promise<Quote> => {
      const quoted = await rail.quote({ merchant, product: item, quantity: 1, shipTo }, signal);
      if (quoted.status !== 'quoted') throw new Error(quoted.message);
      return quoted.quote;
    };
    const quoting = await median(runs, quote);
    rows.push([
      `${label} quote (median of ${runs})`,
      quoting,
      `${(quoting / baseline).toFixed(1)}×`,
    ]);
    const quotes: Quote[] = [];
    for (let index = 0; index < runs; index++) quotes.push(await quote());
    const paying = await median(runs, async () => {
      const next = quotes.pop()!;
      const result = await rail.pay(
        next,
        {
          idempotencyKey: `bench_${++key}`,
          approvedTotal: next.totalAmount,
          expiresAt: next.expiresAt,
        },
        signal,
      );
      if (result.status !== 'paid') throw new Error(`${label}: ${result.status}`);
    });
    rows.push([`${label} pay (median of ${runs})`, paying, `${(paying / baseline).toFixed(1)}×`]);
  }
  await measure('ACP', createAcpRail(), pens, 20);
  await measure('x402', createX402Rail({ chain, asset: async () => asset }), ebook, 20);
  console.log(`purchasing bench: ACP charges ${shop.charges.length}, on ${machineDescription()}`);
  await shop.close();
} finally {
  await chain.close();
  await compiler.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, value, ratio] of rows)
  console.log(
    `  ${name.padEnd(width)}  ${`${value.toFixed(2)} ms`.padStart(10)}  ${ratio} baseline`,
  );

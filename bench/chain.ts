/**
 * Chain benchmark: compile (cold and warm), dev-chain boot and restart (journal replay), contract
 * deployment and an end-to-end swap, each against a baseline measured in the same run.
 * Run: `node --import tsx bench/chain.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { erc20Abi, parseUnits, type Address } from 'viem';
import { createSolcCompiler } from '../src/chain/compiler/solc-compiler.ts';
import { createDemoMarket } from '../src/chain/contracts/demo-market.ts';
import { createDevChain } from '../src/chain/dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../src/chain/dev-chain/dev-wallet.ts';
import { createDevPoolVenue } from '../src/chain/swap/dev-pool-venue.ts';
import { createTemplateContractFactory } from '../src/chain/templates/template-contract-factory.ts';

async function timed<T>(work: () => Promise<T>): Promise<{ milliseconds: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { milliseconds: performance.now() - start, value };
}

async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push((await timed(work)).milliseconds);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const rows: Array<[string, string, string]> = [];
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const record = (name: string, value: number, ratio = '') => rows.push([name, ms(value), ratio]);

const dataDir = mkdtempSync(join(tmpdir(), 'concierge-bench-chain-'));
const compiler = createSolcCompiler();
const erc20 = {
  standard: 'erc20',
  name: 'Bench Token',
  symbol: 'BNCH',
  premint: '1000000',
  mintable: true,
  burnable: true,
  pausable: true,
  permit: true,
} as const;
const erc721 = {
  standard: 'erc721',
  name: 'Bench Art',
  symbol: 'ART',
  mintable: true,
  enumerable: true,
  uriStorage: true,
} as const;

try {
  let chain = createDevChain({ dataDir });
  const factory = createTemplateContractFactory({ chain, compiler });

  // Compilation: the cold run pays the worker, the 9 MB wasm and its warm-up.
  const cold = await timed(() => factory.generate(erc20));
  const warm = await median(5, () => factory.generate(erc20));
  const warmOther = await median(3, () => factory.generate(erc721));
  record('compile ERC-20 template, cold (new worker)', cold.milliseconds);
  record(
    'compile ERC-20 template, warm (median of 5)',
    warm,
    `${(cold.milliseconds / warm).toFixed(1)}× faster than cold`,
  );
  record('compile ERC-721 template, warm (median of 3)', warmOther);

  // The dev chain: boot on first use, then the demo market, then the baseline the chain operations are compared with.
  const boot = await timed(() => chain.chainId());
  record(
    'dev chain first use (EDR boot, empty journal)',
    boot.milliseconds,
    '1× (restart baseline)',
  );
  const market = createDemoMarket({ chain, compiler, directory: join(dataDir, 'chain') });
  const ensure = await timed(() => market.ensure());
  record(
    'demo market first use: compile (warm worker, empty cache) + 8 transactions',
    ensure.milliseconds,
  );
  const [usd, weth] = ensure.value.tokens.map((token) => token.address) as [Address, Address];
  const balanceCall = () => chain.tokenBalance(usd, DEV_WALLET.address);
  await median(20, balanceCall);
  const bareCall = await median(50, balanceCall);
  record(
    'baseline: bare eth_call round trip, balanceOf (median of 50)',
    bareCall,
    '1× (chain baseline)',
  );

  const deploy = await median(5, () => factory.deploy(cold.value));
  record(
    'deploy ERC-20: simulate, send, receipt, verify code (median of 5)',
    deploy,
    `${(deploy / bareCall).toFixed(0)}× chain baseline`,
  );
  const venue = createDevPoolVenue({ chain, market: () => market.ensure() });
  const quoteOnly = await median(20, () => venue.quote(usd, weth, parseUnits('100', 6)));
  record(
    'swap quote only (median of 20)',
    quoteOnly,
    `${(quoteOnly / bareCall).toFixed(1)}× chain baseline`,
  );
  const swap = await median(10, async () => {
    const quote = await venue.quote(usd, weth, parseUnits('100', 6));
    if (quote.status !== 'quoted') throw new Error(quote.message);
    const outcome = await venue.execute(quote.quote, { maxSlippageBps: 50 });
    if (outcome.status !== 'completed') throw new Error(outcome.message);
  });
  record(
    'swap end to end: quote, approve, swap, verify (median of 10)',
    swap,
    `${(swap / bareCall).toFixed(0)}× chain baseline`,
  );

  // Restart: the journal is replayed transaction by transaction.
  for (let index = 0; index < 200; index++) {
    await chain.send({
      kind: 'call',
      address: usd,
      abi: erc20Abi,
      functionName: 'transfer',
      args: ['0x000000000000000000000000000000000000dEaD', 1n],
    });
  }
  const transactions = Number(
    await (await chain.client()).getTransactionCount({ address: DEV_WALLET.address }),
  );
  await chain.close();
  chain = createDevChain({ dataDir });
  const restart = await timed(() => chain.chainId());
  record(
    `dev chain restart, replaying ${transactions} journaled transactions`,
    restart.milliseconds,
    `${(restart.milliseconds / boot.milliseconds).toFixed(1)}× first use; ${(restart.milliseconds / transactions).toFixed(2)} ms per transaction`,
  );
  await chain.close();
} finally {
  await compiler.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const cpu = cpus();
console.log(
  `chain bench: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, value, ratio] of rows)
  console.log(`  ${name.padEnd(width)}  ${value.padStart(10)}  ${ratio}`);

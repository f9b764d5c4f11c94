import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { erc20Abi, parseUnits } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedArtifactsDirectory, temporaryDataDir } from '../../../test/helpers/chain.ts';
import type { Chain } from '../chain.ts';
import { createSolcCompiler } from '../compiler/solc-compiler.ts';
import { createDevChain, devChainJournalPath } from '../dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../dev-chain/dev-wallet.ts';
import { compileCached } from './cached-compilation.ts';
import { DEMO_CONTRACT_SOURCES } from './demo-contracts.ts';
import { createDemoMarket, type DemoMarket } from './demo-market.ts';

describe('demo market on the dev chain (test tokens and a constant-product pool)', () => {
  const dataDir = temporaryDataDir();
  const directory = join(dataDir.path, 'chain');
  const compiler = createSolcCompiler();
  let chain: Chain = createDevChain({ dataDir: dataDir.path });
  const marketOn = (target: Chain) => createDemoMarket({ chain: target, compiler, directory, artifactsDirectory: sharedArtifactsDirectory });
  const nonce = async () => (await chain.client()).getTransactionCount({ address: DEV_WALLET.address });
  let market: DemoMarket;

  afterAll(async () => {
    await chain.close();
    await compiler.close();
    dataDir.remove();
  });

  it('deploys Test USD (6 decimals), Wrapped Test Ether (18) and a funded pool on first use', async () => {
    market = await marketOn(chain).ensure();
    expect(market.tokens.map(({ name, symbol, decimals }) => ({ name, symbol, decimals }))).toEqual([
      { name: 'Test USD', symbol: 'TUSD', decimals: 6 },
      { name: 'Wrapped Test Ether', symbol: 'WETH', decimals: 18 },
    ]);
    const [usd, weth] = market.tokens;
    for (const token of market.tokens) {
      expect(await chain.read({ address: token.address, abi: erc20Abi, functionName: 'symbol' })).toBe(token.symbol);
      expect(await chain.read({ address: token.address, abi: erc20Abi, functionName: 'decimals' })).toBe(token.decimals);
    }
    expect(await chain.read({ address: market.pool.address, abi: market.poolAbi, functionName: 'getReserves' })).toEqual([parseUnits('200000', 6), parseUnits('100', 18)]);
    expect(await chain.tokenBalance(usd!.address, DEV_WALLET.address)).toBe(parseUnits('800000', 6));
    expect(await chain.tokenBalance(weth!.address, DEV_WALLET.address)).toBe(parseUnits('900', 18));
    expect(await chain.read({ address: market.pool.address, abi: market.poolAbi, functionName: 'FEE_BPS' })).toBe(30n);
  });

  it('is idempotent: a second ensure, even from a new deployer, sends nothing and returns the same market', async () => {
    const before = await nonce();
    const again = await marketOn(chain).ensure();
    expect(again.pool).toEqual(market.pool);
    expect(again.tokens).toEqual(market.tokens);
    expect(await nonce()).toBe(before);
  });

  it('survives a restart of the chain without redeploying', async () => {
    const before = await nonce();
    await chain.close();
    chain = createDevChain({ dataDir: dataDir.path });
    const reopened = await marketOn(chain).ensure();
    expect(reopened.pool).toEqual(market.pool);
    expect(await nonce()).toBe(before);
  });

  it('redeploys when the chain no longer has the recorded contracts', async () => {
    await chain.close();
    rmSync(devChainJournalPath(dataDir.path));
    chain = createDevChain({ dataDir: dataDir.path });
    const fresh = await marketOn(chain).ensure();
    expect(await chain.code(fresh.pool.address)).toMatch(/^0x[0-9a-f]+$/);
    expect(await chain.tokenBalance(fresh.tokens[0]!.address, DEV_WALLET.address)).toBe(parseUnits('800000', 6));
    expect(await nonce()).toBe(8);
  });

  it('caches artifacts by source hash: the same sources compile once, changed sources again', async () => {
    let compilations = 0;
    const counting = { compile: (sources: Record<string, string>) => (compilations++, compiler.compile(sources)), close: async () => {} };
    const cache = join(dataDir.path, 'cache-test');
    const first = await compileCached(counting, DEMO_CONTRACT_SOURCES, cache);
    const second = await compileCached(counting, DEMO_CONTRACT_SOURCES, cache);
    expect(compilations).toBe(1);
    expect(second).toEqual(first);
    const changed = { ...DEMO_CONTRACT_SOURCES, 'demo-token.sol': `${DEMO_CONTRACT_SOURCES['demo-token.sol']}\n// changed\n` };
    await compileCached(counting, changed, cache);
    expect(compilations).toBe(2);
  });
});

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { erc20Abi, keccak256, parseSignature, parseUnits, toHex } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedArtifactsDirectory, temporaryDataDir } from '../../../test/helpers/chain.ts';
import type { Chain } from '../chain.ts';
import { TransactionRevertedError } from '../chain-errors.ts';
import { createSolcCompiler } from '../compiler/solc-compiler.ts';
import { createDevChain, devChainJournalPath } from '../dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../dev-chain/dev-wallet.ts';
import { compileCached } from './cached-compilation.ts';
import { DEMO_CONTRACT_SOURCES } from './demo-contracts.ts';
import { createDemoMarket, DEMO_TOKEN_EIP712_VERSION, type DemoMarket } from './demo-market.ts';

describe('demo market on the dev chain (test tokens and a constant-product pool)', () => {
  const dataDir = temporaryDataDir();
  const directory = join(dataDir.path, 'chain');
  const compiler = createSolcCompiler();
  let chain: Chain = createDevChain({ dataDir: dataDir.path });
  const marketOn = (target: Chain) =>
    createDemoMarket({
      chain: target,
      compiler,
      directory,
      artifactsDirectory: sharedArtifactsDirectory,
    });
  const nonce = async () =>
    (await chain.client()).getTransactionCount({ address: DEV_WALLET.address });
  let market: DemoMarket;

  afterAll(async () => {
    await chain.close();
    await compiler.close();
    dataDir.remove();
  });

  it('deploys Test USD (6 decimals), Wrapped Test Ether (18) and a funded pool on first use', async () => {
    market = await marketOn(chain).ensure();
    expect(market.tokens.map(({ name, symbol, decimals }) => ({ name, symbol, decimals }))).toEqual(
      [
        { name: 'Test USD', symbol: 'TUSD', decimals: 6 },
        { name: 'Wrapped Test Ether', symbol: 'WETH', decimals: 18 },
      ],
    );
    const [usd, weth] = market.tokens;
    for (const token of market.tokens) {
      expect(
        await chain.read({ address: token.address, abi: erc20Abi, functionName: 'symbol' }),
      ).toBe(token.symbol);
      expect(
        await chain.read({ address: token.address, abi: erc20Abi, functionName: 'decimals' }),
      ).toBe(token.decimals);
    }
    expect(
      await chain.read({
        address: market.pool.address,
        abi: market.poolAbi,
        functionName: 'getReserves',
      }),
    ).toEqual([parseUnits('200000', 6), parseUnits('100', 18)]);
    expect(await chain.tokenBalance(usd!.address, DEV_WALLET.address)).toBe(
      parseUnits('800000', 6),
    );
    expect(await chain.tokenBalance(weth!.address, DEV_WALLET.address)).toBe(parseUnits('900', 18));
    expect(
      await chain.read({
        address: market.pool.address,
        abi: market.poolAbi,
        functionName: 'FEE_BPS',
      }),
    ).toBe(30n);
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
    expect(await chain.tokenBalance(fresh.tokens[0]!.address, DEV_WALLET.address)).toBe(
      parseUnits('800000', 6),
    );
    expect(await nonce()).toBe(8);
  });

  it('Test USD moves by an ERC-3009 authorization the signer signs, and never twice for one nonce', async () => {
    const usd = market.tokens[0]!;
    const merchant = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;
    const before = await chain.tokenBalance(usd.address, merchant);
    const message = {
      from: DEV_WALLET.address,
      to: merchant,
      value: 1_250_000n,
      validAfter: 0n,
      validBefore: 2n ** 40n,
      nonce: keccak256(toHex('order-1')),
    };
    const signature = await chain.signTypedData({
      domain: {
        name: usd.name,
        version: DEMO_TOKEN_EIP712_VERSION,
        chainId: await chain.chainId(),
        verifyingContract: usd.address,
      },
      types: {
        TransferWithAuthorization: [
          { name: 'from', type: 'address' },
          { name: 'to', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'validAfter', type: 'uint256' },
          { name: 'validBefore', type: 'uint256' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'TransferWithAuthorization',
      message,
    });
    const { v, r, s } = parseSignature(signature);
    const transfer = {
      kind: 'call' as const,
      address: usd.address,
      abi: market.tokenAbi,
      functionName: 'transferWithAuthorization',
      args: [
        message.from,
        message.to,
        message.value,
        message.validAfter,
        message.validBefore,
        message.nonce,
        Number(v),
        r,
        s,
      ],
    };
    await chain.send(transfer);
    expect(await chain.tokenBalance(usd.address, merchant)).toBe(before + 1_250_000n);
    await expect(chain.send(transfer)).rejects.toThrow(TransactionRevertedError);
    expect(await chain.tokenBalance(usd.address, merchant)).toBe(before + 1_250_000n);
  });

  it('replaces a market recorded by an older version (tokens without ERC-3009)', async () => {
    const path = join(directory, 'demo-market.json');
    const { version: _version, ...older } = JSON.parse(await readFile(path, 'utf8')) as Record<
      string,
      unknown
    >;
    await writeFile(path, JSON.stringify(older));
    const upgraded = await marketOn(chain).ensure();
    expect(upgraded.tokens[0]!.address).not.toBe(market.tokens[0]!.address);
    expect(
      await chain.read({
        address: upgraded.tokens[0]!.address,
        abi: upgraded.tokenAbi,
        functionName: 'version',
      }),
    ).toBe('1');
  });

  it('caches artifacts by source hash: the same sources compile once, changed sources again', async () => {
    let compilations = 0;
    const counting = {
      compile: (sources: Record<string, string>) => (compilations++, compiler.compile(sources)),
      close: async () => {},
    };
    const cache = join(dataDir.path, 'cache-test');
    const first = await compileCached(counting, DEMO_CONTRACT_SOURCES, cache);
    const second = await compileCached(counting, DEMO_CONTRACT_SOURCES, cache);
    expect(compilations).toBe(1);
    expect(second).toEqual(first);
    const changed = {
      ...DEMO_CONTRACT_SOURCES,
      'demo-token.sol': `${DEMO_CONTRACT_SOURCES['demo-token.sol']}\n// changed\n`,
    };
    await compileCached(counting, changed, cache);
    expect(compilations).toBe(2);
  });
});

/**
 * The dev chain's market, deployed on first use: two test tokens ("Test USD", 6 decimals, and
 * "Wrapped Test Ether", 18) minted to the dev wallet, and a constant-product pool between them with
 * liquidity at 2,000 TUSD per WETH. Both tokens take ERC-3009 authorizations (EIP-712 domain: the
 * token's name, version `DEMO_TOKEN_EIP712_VERSION`), so they can pay x402 merchants. Deployment is
 * idempotent: the addresses are kept in `<directory>/demo-market.json`, and a market of the current
 * `DEMO_MARKET_VERSION` whose code is still on the chain is reused as it is.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { erc20Abi, parseUnits, type Abi, type Address } from 'viem';
import type { Chain } from '../chain.ts';
import type { SolidityCompiler } from '../solidity-compiler.ts';
import { loadDemoArtifacts, type DemoArtifacts } from './demo-contracts.ts';

export interface DemoToken {
  address: Address;
  name: string;
  symbol: string;
  decimals: number;
}

export interface DemoMarket {
  chainId: number;
  tokens: DemoToken[];
  pool: { address: Address; token0: Address; token1: Address; feeBps: number };
  poolAbi: Abi;
  tokenAbi: Abi;
}

/** What is minted to the dev wallet, and how much of it goes into the pool, in whole tokens. */
export const DEMO_TOKENS = [
  { name: 'Test USD', symbol: 'TUSD', decimals: 6, minted: '1000000', liquidity: '200000' },
  { name: 'Wrapped Test Ether', symbol: 'WETH', decimals: 18, minted: '1000', liquidity: '100' },
] as const;

export const DEMO_POOL_FEE_BPS = 30;

/** The EIP-712 domain version of the demo tokens (the domain name is the token's name). */
export const DEMO_TOKEN_EIP712_VERSION = '1';

/**
 * Bumped whenever the demo contracts change in a way that older deployments lack (2: ERC-3009), so a
 * chain that still holds an older market gets a new one instead of contracts that cannot do the job.
 */
export const DEMO_MARKET_VERSION = 2;

type StoredMarket = Omit<DemoMarket, 'poolAbi' | 'tokenAbi'> & { version?: number };

export interface DemoMarketOptions {
  chain: Chain;
  compiler: SolidityCompiler;
  /** Where the market's record is kept: `<dataDir>/chain`. */
  directory: string;
  /** Where compiled artifacts are cached (content-addressed, so directories may be shared); `<directory>/artifacts` by default. */
  artifactsDirectory?: string;
}

export interface DemoMarketDeployer {
  /** The market, deploying it first when the chain does not have it yet. Concurrent calls share one deployment. */
  ensure(): Promise<DemoMarket>;
}

async function readStored(path: string): Promise<StoredMarket | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StoredMarket;
  } catch {
    return undefined;
  }
}

async function isDeployed(chain: Chain, stored: StoredMarket): Promise<boolean> {
  if (stored.version !== DEMO_MARKET_VERSION || stored.chainId !== (await chain.chainId()))
    return false;
  for (const address of [stored.pool.address, ...stored.tokens.map((token) => token.address)]) {
    if ((await chain.code(address)) === undefined) return false;
  }
  return true;
}

async function deploy(chain: Chain, artifacts: DemoArtifacts): Promise<StoredMarket> {
  const owner = await chain.signerAddress();
  const tokens: DemoToken[] = [];
  for (const spec of DEMO_TOKENS) {
    const sent = await chain.send({
      kind: 'deploy',
      ...artifacts.token,
      args: [spec.name, spec.symbol, spec.decimals, owner],
    });
    const address = sent.contractAddress!;
    await chain.send({
      kind: 'call',
      address,
      abi: artifacts.token.abi,
      functionName: 'mint',
      args: [owner, parseUnits(spec.minted, spec.decimals)],
    });
    tokens.push({ address, name: spec.name, symbol: spec.symbol, decimals: spec.decimals });
  }
  const [usd, weth] = tokens as [DemoToken, DemoToken];
  const pool = (
    await chain.send({ kind: 'deploy', ...artifacts.pool, args: [usd.address, weth.address] })
  ).contractAddress!;
  const amounts = DEMO_TOKENS.map((spec) => parseUnits(spec.liquidity, spec.decimals));
  for (const [index, token] of tokens.entries()) {
    await chain.send({
      kind: 'call',
      address: token.address,
      abi: erc20Abi,
      functionName: 'approve',
      args: [pool, amounts[index]!],
    });
  }
  await chain.send({
    kind: 'call',
    address: pool,
    abi: artifacts.pool.abi,
    functionName: 'addLiquidity',
    args: amounts,
  });
  return {
    version: DEMO_MARKET_VERSION,
    chainId: await chain.chainId(),
    tokens,
    pool: { address: pool, token0: usd.address, token1: weth.address, feeBps: DEMO_POOL_FEE_BPS },
  };
}

export function createDemoMarket({
  chain,
  compiler,
  directory,
  artifactsDirectory = join(directory, 'artifacts'),
}: DemoMarketOptions): DemoMarketDeployer {
  const path = join(directory, 'demo-market.json');
  let ensuring: Promise<DemoMarket> | undefined;

  async function ensureNow(): Promise<DemoMarket> {
    const artifacts = await loadDemoArtifacts(compiler, artifactsDirectory);
    const stored = await readStored(path);
    let market = stored && (await isDeployed(chain, stored)) ? stored : undefined;
    if (!market) {
      market = await deploy(chain, artifacts);
      await mkdir(directory, { recursive: true });
      await writeFile(`${path}.tmp`, JSON.stringify(market, null, 2));
      await rename(`${path}.tmp`, path);
    }
    const { version: _version, ...current } = market;
    return { ...current, poolAbi: artifacts.pool.abi, tokenAbi: artifacts.token.abi };
  }

  return {
    ensure() {
      ensuring ??= ensureNow().catch((error: unknown) => {
        ensuring = undefined;
        throw error;
      });
      return ensuring;
    },
  };
}

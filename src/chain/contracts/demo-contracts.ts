/** Our own Solidity for the dev chain's market: a mintable test token and a constant-product pool. */
import { readFileSync } from 'node:fs';
import type { Abi, Hex } from 'viem';
import { contractNamed, type SolidityCompiler } from '../solidity-compiler.ts';
import { compileCached } from './cached-compilation.ts';

export const DEMO_CONTRACT_SOURCES: Readonly<Record<string, string>> = {
  'demo-token.sol': readFileSync(new URL('./demo-token.sol', import.meta.url), 'utf8'),
  'constant-product-pool.sol': readFileSync(
    new URL('./constant-product-pool.sol', import.meta.url),
    'utf8',
  ),
};

export interface DemoArtifact {
  abi: Abi;
  bytecode: Hex;
}

export interface DemoArtifacts {
  token: DemoArtifact;
  pool: DemoArtifact;
}

/** Compiles the demo contracts, or loads them from `cacheDirectory` when these exact sources were compiled before. */
export async function loadDemoArtifacts(
  compiler: SolidityCompiler,
  cacheDirectory: string,
): Promise<DemoArtifacts> {
  const result = await compileCached(compiler, DEMO_CONTRACT_SOURCES, cacheDirectory);
  const token = contractNamed(result, 'DemoToken');
  const pool = contractNamed(result, 'ConstantProductPool');
  return {
    token: { abi: token.abi, bytecode: token.bytecode },
    pool: { abi: pool.abi, bytecode: pool.bytecode },
  };
}

/**
 * The Solidity compiler port: sources in, ABI and bytecode out. The one adapter (`compiler/`) runs the
 * bundled solc-js 0.8.37 in a long-lived worker thread, targets EVM `cancun` with the optimizer on,
 * resolves `@openzeppelin/contracts/...` imports from the installed package, and never downloads.
 */
import type { Abi, Hex } from 'viem';
import { InvalidRequestError } from '../domain/errors.ts';

/**
 * The settings of every compilation; together with the sources they determine the output, so cached
 * artifacts are keyed by them. EVM `cancun`: OpenZeppelin 5.7 uses `mcopy`, so nothing older compiles it.
 */
export const COMPILER_SETTINGS = {
  solcVersion: '0.8.37',
  evmVersion: 'cancun',
  optimizerRuns: 200,
} as const;

/** One contract of a compilation, ready to deploy. */
export interface CompiledContract {
  /** The source unit it was declared in, e.g. `MyToken.sol`. */
  sourceName: string;
  contractName: string;
  abi: Abi;
  /** Creation bytecode, `0x`-prefixed; `0x` for interfaces and abstract contracts. */
  bytecode: Hex;
  /** Runtime bytecode, what `eth_getCode` returns once deployed. */
  deployedBytecode: Hex;
}

export interface CompilationResult {
  /** The full compiler version, e.g. `0.8.37+commit.….Emscripten.clang`. */
  compilerVersion: string;
  /** Every contract declared in the given sources (not those of imported files). */
  contracts: CompiledContract[];
  /** Warnings, one line each: `file:line:column: Warning: message`. */
  warnings: string[];
}

export interface SolidityCompiler {
  /**
   * Compiles `sources` (source unit name → Solidity text). Imports of `@openzeppelin/contracts/...`
   * resolve to the installed package; any other import is a compile error.
   * Throws `SolidityCompilationError` when solc reports errors.
   */
  compile(sources: Readonly<Record<string, string>>): Promise<CompilationResult>;
  /** Stops the worker thread; a later `compile` starts a new one. */
  close(): Promise<void>;
}

/** solc refused the sources. `errors` holds one readable line per problem: `file:line:column: Kind: message`. */
export class SolidityCompilationError extends InvalidRequestError {
  override name = 'SolidityCompilationError';
  readonly errors: readonly string[];

  constructor(errors: readonly string[]) {
    super(`Solidity compilation failed:\n${errors.join('\n')}`, null, 'compilation_failed');
    this.errors = errors;
  }
}

/** Finds a contract of a compilation by name; throws when it is missing (a bug in the caller's sources). */
export function contractNamed(result: CompilationResult, contractName: string): CompiledContract {
  const found = result.contracts.find((contract) => contract.contractName === contractName);
  if (!found) throw new Error(`The compilation has no contract named ${contractName}.`);
  return found;
}

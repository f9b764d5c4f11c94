/**
 * solc's standard-JSON format, both ways: the input we always send (optimizer on, EVM cancun, output
 * only for the given sources) and the output read back into `CompilationResult`, with every problem
 * turned into one readable line, `file:line:column: Kind: message`.
 */
import type { Abi, Hex } from 'viem';
import {
  COMPILER_SETTINGS,
  type CompilationResult,
  type CompiledContract,
} from '../solidity-compiler.ts';

export function standardJsonInput(sources: Readonly<Record<string, string>>): string {
  const outputSelection: Record<string, Record<string, string[]>> = {};
  for (const name of Object.keys(sources)) {
    outputSelection[name] = { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] };
  }
  return JSON.stringify({
    language: 'Solidity',
    sources: Object.fromEntries(
      Object.entries(sources).map(([name, content]) => [name, { content }]),
    ),
    settings: {
      optimizer: { enabled: true, runs: COMPILER_SETTINGS.optimizerRuns },
      evmVersion: COMPILER_SETTINGS.evmVersion,
      outputSelection,
    },
  });
}

interface SolcDiagnostic {
  severity: 'error' | 'warning' | 'info';
  type: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string };
}

interface SolcOutput {
  errors?: SolcDiagnostic[];
  contracts?: Record<
    string,
    Record<
      string,
      { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
    >
  >;
}

/** `file:line:column: Kind: message`; the position comes from solc's own ` --> file:line:column:` marker. */
export function formatDiagnostic(diagnostic: SolcDiagnostic): string {
  const position = /-->\s*(.+?):(\d+):(\d+):/.exec(diagnostic.formattedMessage ?? '');
  const where = position
    ? `${position[1]}:${position[2]}:${position[3]}`
    : (diagnostic.sourceLocation?.file ?? '<input>');
  return `${where}: ${diagnostic.type}: ${diagnostic.message}`;
}

export interface ParsedOutput {
  errors: string[];
  result: Omit<CompilationResult, 'compilerVersion'>;
}

export function parseStandardJsonOutput(text: string): ParsedOutput {
  const output = JSON.parse(text) as SolcOutput;
  const diagnostics = output.errors ?? [];
  const errors = diagnostics.filter((item) => item.severity === 'error').map(formatDiagnostic);
  const warnings = diagnostics.filter((item) => item.severity === 'warning').map(formatDiagnostic);
  const contracts: CompiledContract[] = [];
  for (const [sourceName, declared] of Object.entries(output.contracts ?? {})) {
    for (const [contractName, artifact] of Object.entries(declared)) {
      contracts.push({
        sourceName,
        contractName,
        abi: artifact.abi,
        bytecode: `0x${artifact.evm.bytecode.object}` as Hex,
        deployedBytecode: `0x${artifact.evm.deployedBytecode.object}` as Hex,
      });
    }
  }
  return { errors, result: { contracts, warnings } };
}

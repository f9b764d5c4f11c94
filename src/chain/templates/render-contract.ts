/** Renders validated template options to a Solidity source. */
import type { ContractTemplateOptions } from '../contract-template-options.ts';
import { erc1155Contract } from './erc1155-template.ts';
import { erc20Contract } from './erc20-template.ts';
import { erc721Contract } from './erc721-template.ts';
import { printContract, type ContractSpec } from './solidity-source.ts';

export interface RenderedContract {
  contractName: string;
  sourceName: string;
  source: string;
  constructorArgument: 'initialOwner' | 'defaultAdmin';
}

function specFor(options: ContractTemplateOptions): ContractSpec {
  switch (options.standard) {
    case 'erc20':
      return erc20Contract(options);
    case 'erc721':
      return erc721Contract(options);
    case 'erc1155':
      return erc1155Contract(options);
  }
}

export function renderContract(options: ContractTemplateOptions): RenderedContract {
  const spec = specFor(options);
  return {
    contractName: spec.contractName,
    sourceName: `${spec.contractName}.sol`,
    source: printContract(spec),
    constructorArgument: options.access === 'ownable' ? 'initialOwner' : 'defaultAdmin',
  };
}

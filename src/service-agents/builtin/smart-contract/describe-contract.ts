/** One line that says what a generated contract is, in the user's terms: standard, names and features. */
import type { ContractTemplateOptions } from '../../../chain/contract-template-options.ts';

const STANDARD_NAMES = { erc20: 'ERC-20', erc721: 'ERC-721', erc1155: 'ERC-1155' } as const;

/** Boolean options worth naming when they are on, in the words a person would use. */
const FEATURES: Record<string, string> = {
  mintable: 'mintable',
  burnable: 'burnable',
  pausable: 'pausable',
  permit: 'EIP-2612 permit',
  enumerable: 'enumerable',
  uriStorage: 'per-token URIs',
  supplyTracking: 'supply tracking',
};

export function describeContract(contractName: string, options: ContractTemplateOptions): string {
  const parts = [`"${options.name}"`];
  if (options.standard !== 'erc1155') parts.push(`symbol ${options.symbol}`);
  if (options.standard === 'erc20') {
    parts.push(`${options.decimals} decimals`, `premint ${options.premint}`);
    if (options.cap !== undefined) parts.push(`cap ${options.cap}`);
  }
  const record = options as unknown as Record<string, unknown>;
  for (const [key, words] of Object.entries(FEATURES)) if (record[key] === true) parts.push(words);
  if (options.standard === 'erc721' && options.mintable)
    parts.push(options.autoIncrementIds ? 'auto-increment ids' : 'minter-chosen ids');
  parts.push(options.access === 'ownable' ? 'owner-controlled' : 'role-based access');
  return `${contractName} (${STANDARD_NAMES[options.standard]}: ${parts.join(', ')})`;
}

/**
 * Template option combinations. `everyTemplateCombination` is the whole exposed space (288 structurally
 * distinct contracts; decimals, premint amounts and names do not change structure).
 * `representativeTemplateCombinations` is the full product of the flags that interact (the ones that
 * change override lists, role sets or function signatures) with the independent flags spread across it;
 * the test suite compiles it, and `scripts/check-template-matrix.ts` compiles everything.
 */
import type { ContractTemplateOptionsInput } from '../../src/chain/contract-template-options.ts';

function flagRows(count: number): boolean[][] {
  return Array.from({ length: 2 ** count }, (_row, row) =>
    Array.from({ length: count }, (_bit, bit) => (row & (1 << bit)) !== 0),
  );
}

const ACCESS = ['ownable', 'roles'] as const;

function access(roles: boolean | undefined): 'ownable' | 'roles' {
  return roles ? 'roles' : 'ownable';
}

export function everyTemplateCombination(): ContractTemplateOptionsInput[] {
  const all: ContractTemplateOptionsInput[] = [];
  for (const accessModel of ACCESS) {
    for (const [mintable, burnable, pausable, permit, capped] of flagRows(5)) {
      all.push({
        standard: 'erc20',
        name: `Token ${all.length}`,
        symbol: 'TKN',
        mintable,
        burnable,
        pausable,
        permit,
        ...(capped ? { cap: '1000', premint: '10' } : {}),
        access: accessModel,
      });
    }
    for (const [
      mintable,
      autoIncrementIds,
      burnable,
      pausable,
      enumerable,
      uriStorage,
      withBaseUri,
    ] of flagRows(7)) {
      if (!mintable && !autoIncrementIds) continue; // autoIncrementIds only shapes safeMint
      all.push({
        standard: 'erc721',
        name: `Collection ${all.length}`,
        symbol: 'NFT',
        mintable,
        autoIncrementIds,
        burnable,
        pausable,
        enumerable,
        uriStorage,
        ...(withBaseUri ? { baseUri: 'ipfs://base/' } : {}),
        access: accessModel,
      });
    }
    for (const [mintable, burnable, pausable, supplyTracking] of flagRows(4)) {
      all.push({
        standard: 'erc1155',
        name: `Items ${all.length}`,
        uri: 'https://items.example/{id}.json',
        mintable,
        burnable,
        pausable,
        supplyTracking,
        access: accessModel,
      });
    }
  }
  return all;
}

/**
 * Every combination of the flags that meet in one override list, and every safeMint signature, in 16
 * contracts: ERC-20 `_update` (pausable × capped); ERC-721 `supportsInterface` (enumerable × URI storage
 * × roles) with `_update` (enumerable × pausable) covered by pausable = enumerable xor URI storage;
 * ERC-1155 `_update` (pausable × supply). The independent flags alternate across the rows.
 */
export function representativeTemplateCombinations(): ContractTemplateOptionsInput[] {
  const chosen: ContractTemplateOptionsInput[] = [];
  for (const [row, [pausable, capped]] of flagRows(2).entries()) {
    const odd = row % 2 === 1;
    chosen.push({
      standard: 'erc20',
      name: `Token ${chosen.length}`,
      symbol: 'TKN',
      pausable,
      ...(capped ? { cap: '1000', premint: '10' } : {}),
      mintable: !odd,
      burnable: odd,
      permit: !odd,
      decimals: odd ? 6 : 18,
      access: access(pausable !== capped),
    });
  }
  for (const [row, [enumerable, uriStorage, roles]] of flagRows(3).entries()) {
    const odd = row % 2 === 1;
    chosen.push({
      standard: 'erc721',
      name: `Collection ${chosen.length}`,
      symbol: 'NFT',
      enumerable,
      uriStorage,
      pausable: enumerable !== uriStorage,
      mintable: true,
      autoIncrementIds: row % 4 < 2,
      burnable: odd,
      ...(odd ? {} : { baseUri: 'ipfs://base/' }),
      access: access(roles),
    });
  }
  for (const [row, [pausable, supplyTracking]] of flagRows(2).entries()) {
    chosen.push({
      standard: 'erc1155',
      name: `Items ${chosen.length}`,
      uri: 'https://items.example/{id}.json',
      pausable,
      supplyTracking,
      mintable: row !== 1,
      burnable: row !== 2,
      access: access(pausable !== supplyTracking),
    });
  }
  return chosen;
}

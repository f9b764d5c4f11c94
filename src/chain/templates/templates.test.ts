import { erc20Abi, parseUnits, type Abi } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test/helpers/chain.ts';
import { representativeTemplateCombinations } from '../../../test/helpers/template-matrix.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { TransactionRevertedError } from '../chain-errors.ts';
import { createSolcCompiler } from '../compiler/solc-compiler.ts';
import {
  ContractTemplateOptionsSchema,
  type ContractTemplateOptions,
  type ContractTemplateOptionsInput,
} from '../contract-template-options.ts';
import { createDevChain } from '../dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../dev-chain/dev-wallet.ts';
import { renderContract } from './render-contract.ts';
import { contractNameFor } from './solidity-source.ts';
import { createTemplateContractFactory } from './template-contract-factory.ts';

const functionNames = (abi: Abi) =>
  new Set(abi.flatMap((item) => (item.type === 'function' ? [item.name] : [])));
/** The functions whose presence depends on the options: each must exist exactly when its feature was chosen. */
function expectedFunctions(options: ContractTemplateOptions): Record<string, boolean> {
  return {
    pause: options.pausable,
    burn: options.burnable,
    mint: options.standard !== 'erc721' && options.mintable,
    safeMint: options.standard === 'erc721' && options.mintable,
    owner: options.access === 'ownable',
    grantRole: options.access === 'roles',
    permit: options.standard === 'erc20' && options.permit,
    cap: options.standard === 'erc20' && options.cap !== undefined,
    tokenOfOwnerByIndex: options.standard === 'erc721' && options.enumerable,
    exists: options.standard === 'erc1155' && options.supplyTracking,
  };
}

const OTHER_OWNER = '0x000000000000000000000000000000000000bEEF';

describe('contract templates', () => {
  const dataDir = temporaryDataDir();
  const compiler = createSolcCompiler();
  const chain = createDevChain({ dataDir: dataDir.path });
  const factory = createTemplateContractFactory({ chain, compiler });
  afterAll(async () => {
    await chain.close();
    await compiler.close();
    dataDir.remove();
  });

  it.each([
    [
      { standard: 'erc20', name: 'Evil"); selfdestruct(payable(msg.sender)); //', symbol: 'EVL' },
      'name',
    ],
    [{ standard: 'erc20', name: 'Line\nbreak', symbol: 'LB' }, 'name'],
    [{ standard: 'erc20', name: 'Tökén', symbol: 'TK' }, 'name'],
    [{ standard: 'erc20', name: 'Fine', symbol: 'B A D' }, 'symbol'],
    [{ standard: 'erc721', name: 'Fine', symbol: 'F', baseUri: 'ipfs://x/" + hack' }, 'baseUri'],
    [{ standard: 'erc1155', name: 'Fine', uri: 'https://x/\\u0022' }, 'uri'],
    [{ standard: 'erc20', name: 'Fine', symbol: 'F', cap: '10', premint: '11' }, 'premint'],
    [{ standard: 'erc20', name: 'Fine', symbol: 'F', cap: '0' }, 'cap'],
    [{ standard: 'erc20', name: 'Fine', symbol: 'F', decimals: 19 }, 'decimals'],
    [{ standard: 'erc20', name: 'Fine', symbol: 'F', votes: true }, ''],
    [
      { standard: 'erc20', name: 'Fine', symbol: 'F', contractName: 'evil contract' },
      'contractName',
    ],
    [{ standard: 'erc4626', name: 'Fine', symbol: 'F' }, 'standard'],
  ])(
    'refuses options that could inject Solidity or are out of range: %j',
    async (options, param) => {
      const error = await factory
        .generate(options as ContractTemplateOptionsInput)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).param).toBe(param || null);
      expect((error as Error).message).toMatch(/^Invalid contract option/);
    },
  );

  it('refuses a contract name that clashes with an import, and never prints a quote even past the schema', async () => {
    await expect(
      factory.generate({ standard: 'erc20', name: 'Fine', symbol: 'F', contractName: 'Ownable' }),
    ).rejects.toThrow(/clashes with an OpenZeppelin contract/);
    const bypassed = {
      ...ContractTemplateOptionsSchema.parse({ standard: 'erc20', name: 'Fine', symbol: 'F' }),
      name: 'x"); }',
    };
    expect(() => renderContract(bypassed)).toThrow(/Refusing to print/);
  });

  it('derives Solidity contract names from display names', () => {
    expect(contractNameFor('Test USD', undefined)).toBe('TestUSD');
    expect(contractNameFor('my token-2', undefined)).toBe('MyToken2');
    expect(contractNameFor('1st Edition', undefined)).toBe('Token1stEdition');
    expect(contractNameFor('ERC20', undefined)).toBe('ERC20Token');
  });

  it('compiles every representative combination of features, each exposing exactly its chosen functions', async () => {
    const combinations = representativeTemplateCombinations().map((input) =>
      ContractTemplateOptionsSchema.parse(input),
    );
    const rendered = combinations.map((options) => renderContract(options));
    const result = await compiler.compile(
      Object.fromEntries(rendered.map((contract) => [contract.sourceName, contract.source])),
    );
    expect(result.warnings).toEqual([]);
    for (const [index, options] of combinations.entries()) {
      const compiled = result.contracts.find(
        (contract) => contract.contractName === rendered[index]!.contractName,
      )!;
      expect(compiled.bytecode.length).toBeGreaterThan(1000);
      const expected = expectedFunctions(options);
      const present = Object.fromEntries(
        Object.keys(expected).map((name) => [name, functionNames(compiled.abi).has(name)]),
      );
      expect({ contract: compiled.contractName, ...present }).toEqual({
        contract: compiled.contractName,
        ...expected,
      });
    }
  }, 120_000);

  it('generates and deploys an ERC-20 whose supply, cap, minting and pausing work on-chain', async () => {
    const token = await factory.generate({
      standard: 'erc20',
      name: 'Test Dollar',
      symbol: 'TDOL',
      decimals: 6,
      premint: '1000',
      mintable: true,
      pausable: true,
      permit: true,
      cap: '5000',
    });
    expect(token.contractName).toBe('TestDollar');
    expect(token.source).toContain(
      'import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";',
    );
    expect(token.compilerVersion).toMatch(/^0\.8\.37/);
    expect(token.warnings).toEqual([]);
    const plan = await factory.planDeployment(token);
    expect(plan).toMatchObject({
      chainId: 31337,
      deployer: DEV_WALLET.address,
      owner: DEV_WALLET.address,
    });
    expect(plan.gasEstimate).toBeGreaterThan(500_000n);
    const deployed = await factory.deploy(token);
    expect(deployed.transactionHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await chain.code(deployed.address)).toMatch(/^0x[0-9a-f]+$/);
    const read = (functionName: string, args: unknown[] = []) =>
      chain.read({ address: deployed.address, abi: token.abi, functionName, args });
    expect(await read('totalSupply')).toBe(parseUnits('1000', 6));
    expect(await read('balanceOf', [DEV_WALLET.address])).toBe(parseUnits('1000', 6));
    expect(await read('cap')).toBe(parseUnits('5000', 6));
    expect(await read('decimals')).toBe(6);
    expect(await read('symbol')).toBe('TDOL');
    await chain.send({
      kind: 'call',
      address: deployed.address,
      abi: token.abi,
      functionName: 'mint',
      args: [OTHER_OWNER, parseUnits('100', 6)],
    });
    expect(await read('totalSupply')).toBe(parseUnits('1100', 6));
    const overCap = await chain
      .send({
        kind: 'call',
        address: deployed.address,
        abi: token.abi,
        functionName: 'mint',
        args: [OTHER_OWNER, parseUnits('4000', 6)],
      })
      .catch((caught: unknown) => caught);
    expect((overCap as TransactionRevertedError).reason.errorName).toBe('ERC20ExceededCap');
    await chain.send({
      kind: 'call',
      address: deployed.address,
      abi: token.abi,
      functionName: 'pause',
    });
    const paused = await chain
      .send({
        kind: 'call',
        address: deployed.address,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [OTHER_OWNER, 1n],
      })
      .catch((caught: unknown) => caught);
    expect((paused as TransactionRevertedError).reason.errorName).toBe('EnforcedPause');
  });

  it('deploys for another owner, so the signer is refused as OwnableUnauthorizedAccount', async () => {
    const token = await factory.generate({
      standard: 'erc20',
      name: 'Owned Elsewhere',
      symbol: 'OWN',
      mintable: true,
    });
    const deployed = await factory.deploy(token, { owner: OTHER_OWNER });
    expect(deployed.owner).toBe(OTHER_OWNER);
    await expect(
      factory.planDeployment(token, { owner: '0xnot-an-address' as never }),
    ).rejects.toThrow(/is not an address/);
    expect(
      await chain.read({ address: deployed.address, abi: token.abi, functionName: 'owner' }),
    ).toBe(OTHER_OWNER);
    const error = await chain
      .send({
        kind: 'call',
        address: deployed.address,
        abi: token.abi,
        functionName: 'mint',
        args: [DEV_WALLET.address, 1n],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionRevertedError);
    expect((error as TransactionRevertedError).reason.summary).toBe(
      `OwnableUnauthorizedAccount(account: "${DEV_WALLET.address}")`,
    );
  });

  it('deploys an ERC-721 with roles, URI storage and enumeration that mints with counting ids', async () => {
    const nft = await factory.generate({
      standard: 'erc721',
      name: 'Gallery',
      symbol: 'GAL',
      baseUri: 'ipfs://gallery/',
      mintable: true,
      uriStorage: true,
      enumerable: true,
      access: 'roles',
    });
    const deployed = await factory.deploy(nft);
    const read = (functionName: string, args: unknown[] = []) =>
      chain.read({ address: deployed.address, abi: nft.abi, functionName, args });
    const minted = await chain.send({
      kind: 'call',
      address: deployed.address,
      abi: nft.abi,
      functionName: 'safeMint',
      args: [OTHER_OWNER, 'first.json'],
    });
    expect(minted.result).toBe(0n);
    expect(await read('ownerOf', [0n])).toBe(OTHER_OWNER);
    expect(await read('tokenURI', [0n])).toBe('ipfs://gallery/first.json');
    expect(await read('totalSupply')).toBe(1n);
    expect(await read('supportsInterface', ['0x80ac58cd'])).toBe(true);
    expect(await read('hasRole', [await read('MINTER_ROLE'), DEV_WALLET.address])).toBe(true);
  });

  it('deploys an ERC-1155 with supply tracking whose mints are counted per id', async () => {
    const items = await factory.generate({
      standard: 'erc1155',
      name: 'Game Items',
      uri: 'https://game.example/{id}.json',
      mintable: true,
      supplyTracking: true,
    });
    const deployed = await factory.deploy(items);
    await chain.send({
      kind: 'call',
      address: deployed.address,
      abi: items.abi,
      functionName: 'mint',
      args: [DEV_WALLET.address, 7n, 5n, '0x'],
    });
    const read = (functionName: string, args: unknown[] = []) =>
      chain.read({ address: deployed.address, abi: items.abi, functionName, args });
    expect(await read('balanceOf', [DEV_WALLET.address, 7n])).toBe(5n);
    expect(await read('totalSupply', [7n])).toBe(5n);
    expect(await read('uri', [7n])).toBe('https://game.example/{id}.json');
  });
});

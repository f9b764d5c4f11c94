import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { formatEther, parseUnits, type Abi, type Address } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { agentContext, approve } from '../../../../test/helpers/agent-context.ts';
import { temporaryDataDir } from '../../../../test/helpers/chain.ts';
import { createSolcCompiler } from '../../../chain/compiler/solc-compiler.ts';
import { createDevChain } from '../../../chain/dev-chain/dev-chain.ts';
import { createRpcChain } from '../../../chain/rpc-chain/rpc-chain.ts';
import { Secret } from '../../../config/secret.ts';
import { DEV_WALLET } from '../../../chain/dev-chain/dev-wallet.ts';
import { SolidityCompilationError } from '../../../chain/solidity-compiler.ts';
import { createTemplateContractFactory } from '../../../chain/templates/template-contract-factory.ts';
import type { AgentStepResult } from '../../builtin-agent.ts';
import { validateInput } from '../../input-validation.ts';
import { createFileExecutionLedger } from '../execution-ledger.ts';
import { contractGenerationFailure } from './contract-generation-failure.ts';
import { createSmartContractAgent } from './smart-contract-agent.ts';

const ACME = {
  standard: 'erc20',
  name: 'Acme',
  symbol: 'ACM',
  premint: '1000000',
  mintable: true,
  pausable: true,
} as const;

function fileNamed(result: AgentStepResult, name: string): string {
  const file =
    result.kind === 'answer'
      ? result.files?.find((candidate) => candidate.name === name)
      : undefined;
  if (!file) throw new Error(`no file ${name} in ${JSON.stringify(result).slice(0, 300)}`);
  return String(file.content);
}

describe('smart_contract service agent', () => {
  const dataDir = temporaryDataDir();
  // One compiler worker for the whole file: the first compile pays the wasm warm-up, the rest are warm.
  const compiler = createSolcCompiler();
  const chain = createDevChain({ dataDir: dataDir.path });
  const contracts = createTemplateContractFactory({ chain, compiler });
  const ledger = createFileExecutionLedger(join(dataDir.path, 'executions'));
  const agent = createSmartContractAgent({ chain, contracts, ledger, ethPriceUsd: 0 });
  const nonce = async () =>
    (await chain.client()).getTransactionCount({ address: DEV_WALLET.address });

  afterAll(async () => {
    await chain.close();
    await compiler.close();
    dataDir.remove();
  });

  it('offers the closed template options plus deploy and owner as its input schema', () => {
    expect(agent.builtin).toBe('smart_contract');
    const schema = agent.inputSchema as {
      type: string;
      properties: Record<string, any>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['contract']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.deploy).toMatchObject({ type: 'boolean', default: false });
    const standards = schema.properties.contract.oneOf.map(
      (variant: any) => variant.properties.standard.const,
    );
    expect(standards).toEqual(['erc20', 'erc721', 'erc1155']);
    expect(JSON.stringify(schema)).not.toContain('$schema');
  });

  it('has the framework name the wrong field of the standard the model picked', () => {
    const bad = (contract: Record<string, unknown>) =>
      validateInput(agent.inputSchema, JSON.stringify({ contract }));
    expect(bad({ standard: 'erc721', name: 'Art', symbol: 'TOO-LONG-SYMBOL' })).toEqual({
      error:
        'The arguments do not match the agent\'s input schema: /contract/symbol must match pattern "^[A-Za-z0-9]{1,11}$".',
    });
    expect(bad({ standard: 'erc1155', name: 'Items', uri: 'has space' })).toMatchObject({
      error: expect.stringContaining('/contract/uri must match pattern'),
    });
    expect(bad({ standard: 'erc4626', name: 'Vault' })).toMatchObject({
      error: expect.stringContaining('value of tag "standard" must be in oneOf'),
    });
    expect(
      validateInput(agent.inputSchema, JSON.stringify({ contract: ACME, deploy: true })),
    ).toEqual({ input: { contract: ACME, deploy: true } });
  });

  it('compiles without deploying: source, ABI and bytecode as files, warnings and functions in the output, nothing sent', async () => {
    const before = await nonce();
    const context = agentContext();
    const result = await agent.prepare({ contract: ACME }, context);
    expect(result.kind).toBe('answer');
    if (result.kind !== 'answer') return;
    expect(result.files?.map((file) => `${file.name} ${file.mimeType}`)).toEqual([
      'Acme.sol text/x-solidity',
      'Acme.abi.json application/json',
      'Acme.bytecode.txt text/plain',
    ]);
    expect(fileNamed(result, 'Acme.sol')).toMatch(/contract Acme is ERC20, ERC20Pausable, Ownable/);
    const abi = JSON.parse(fileNamed(result, 'Acme.abi.json')) as Abi;
    expect(abi.flatMap((item) => (item.type === 'function' ? [item.name] : []))).toEqual(
      expect.arrayContaining(['mint', 'pause', 'unpause', 'totalSupply', 'transferOwnership']),
    );
    expect(fileNamed(result, 'Acme.bytecode.txt')).toMatch(/^0x[0-9a-f]{1000,}\n$/);
    expect(result.output).toContain(
      'Compiled Acme (ERC-20: "Acme", symbol ACM, 18 decimals, premint 1000000, mintable, pausable, owner-controlled) with solc 0.8.37',
    );
    expect(result.output).toContain('no compiler warnings');
    expect(result.output).toMatch(/Functions: .*mint.*pause/);
    expect(result.output).toContain('Not deployed');
    expect(result.data).toMatchObject({
      contract_name: 'Acme',
      warnings: [],
      options: { ...ACME, decimals: 18, access: 'ownable' },
    });
    expect(context.lines.length).toBeGreaterThan(0);
    expect(await nonce()).toBe(before);
  });

  it('returns invalid options to the model, naming the field', async () => {
    const symbol = await agent.prepare(
      { contract: { ...ACME, symbol: 'ACME-TOKEN-LONG' } },
      agentContext(),
    );
    expect(symbol).toMatchObject({ kind: 'failed', data: { status: 'invalid_options' } });
    expect(symbol.kind === 'failed' && symbol.output).toContain(
      'contract.symbol: use 1 to 11 letters or digits',
    );
    const unknown = await agent.prepare(
      { contract: { ...ACME, flashMintable: true } },
      agentContext(),
    );
    expect(unknown.kind === 'failed' && unknown.output).toMatch(/flashMintable/);
    const clash = await agent.prepare(
      { contract: { ...ACME, contractName: 'Ownable' } },
      agentContext(),
    );
    expect(clash.kind === 'failed' && clash.output).toContain(
      'clashes with an OpenZeppelin contract',
    );
  });

  it('turns solc errors into readable lines with file, line and column', async () => {
    const error = await compiler
      .compile({
        'Broken.sol':
          'pragma solidity ^0.8.27;\ncontract Broken { function f() public { undefinedThing(); } }\n',
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SolidityCompilationError);
    const failure = contractGenerationFailure(error);
    expect(failure?.output).toMatch(
      /^The contract did not compile:\nBroken\.sol:2:\d+: DeclarationError: Undeclared identifier/,
    );
    expect(failure?.data).toMatchObject({ status: 'compilation_failed' });
  });

  it('proposes a deployment (simulated, nothing sent), deploys it once approved, and the token works on the chain', async () => {
    const before = await nonce();
    const prepared = await agent.prepare({ contract: ACME, deploy: true }, agentContext());
    expect(prepared.kind).toBe('proposal');
    if (prepared.kind !== 'proposal') return;
    const { proposal } = prepared;
    expect(proposal).toMatchObject({ kind: 'deployment', valueUsd: 0, asset: 'ETH' });
    expect(proposal.details).toMatchObject({
      chain_id: 31337,
      deployer: DEV_WALLET.address,
      owner: DEV_WALLET.address,
      contract_name: 'Acme',
    });
    expect(BigInt(proposal.details.estimated_gas as string)).toBeGreaterThan(500_000n);
    expect(proposal.summary).toMatch(
      /^Deploy Acme \(ERC-20: .*\) to chain 31337 from 0xf39F.*: about [\d,]+ gas, at most [\d.]+ ETH/,
    );
    expect(JSON.stringify(proposal.details)).not.toContain('bytecode');
    expect(await nonce()).toBe(before);

    const approved = approve(prepared);
    const result = await agent.execute(approved, agentContext());
    expect(result.kind).toBe('answer');
    if (result.kind !== 'answer') return;
    const address = result.data?.address as Address;
    const abi = JSON.parse(fileNamed(result, 'Acme.abi.json')) as Abi;
    expect(await chain.read({ address, abi, functionName: 'totalSupply' })).toBe(
      parseUnits('1000000', 18),
    );
    expect(await chain.read({ address, abi, functionName: 'owner' })).toBe(DEV_WALLET.address);
    expect(await chain.read({ address, abi, functionName: 'symbol' })).toBe('ACM');
    const receipt = await (
      await chain.client()
    ).getTransactionReceipt({ hash: result.data?.transaction_hash as `0x${string}` });
    expect(receipt.contractAddress?.toLowerCase()).toBe(address.toLowerCase());
    expect(result.output).toContain(`Deployed Acme (ERC-20`);
    expect(result.output).toContain(`at ${address} on chain 31337`);
    expect(await nonce()).toBe(before + 1);

    // The framework may call execute again after a crash: the same proposal never deploys twice.
    expect(await agent.execute(approved, agentContext())).toEqual(result);
    expect(await nonce()).toBe(before + 1);
  });

  it('deploys an approval that reaches another process by compiling the approved options again', async () => {
    const prepared = await agent.prepare(
      { contract: { ...ACME, name: 'Acme Two', symbol: 'AC2' }, deploy: true },
      agentContext(),
    );
    const otherProcess = createSmartContractAgent({ chain, contracts, ledger, ethPriceUsd: 0 });
    const context = agentContext();
    const result = await otherProcess.execute(approve(prepared), context);
    expect(result.kind).toBe('answer');
    expect(context.lines[0]).toContain('Compiling AcmeTwo again from the approved options');
    const abi = JSON.parse(fileNamed(result, 'AcmeTwo.abi.json')) as Abi;
    expect(
      await chain.read({
        address: result.kind === 'answer' ? (result.data?.address as Address) : '0x',
        abi,
        functionName: 'symbol',
      }),
    ).toBe('AC2');
  });

  it('asks again instead of deploying when the compiled code is not what was approved', async () => {
    const before = await nonce();
    const approved = approve(await agent.prepare({ contract: ACME, deploy: true }, agentContext()));
    (approved.draft.state as { bytecodeSha256: string }).bytecodeSha256 = '0'.repeat(64);
    const result = await agent.execute(approved, agentContext());
    expect(result).toMatchObject({
      kind: 'proposal',
      proposal: { kind: 'deployment', details: { contract_name: 'Acme' } },
    });
    expect(await nonce()).toBe(before);
  });

  it('deploys to another owner when asked', async () => {
    const owner = '0x000000000000000000000000000000000000bEEF';
    const prepared = await agent.prepare(
      {
        contract: { standard: 'erc721', name: 'Acme Art', symbol: 'ART', mintable: true },
        deploy: true,
        owner,
      },
      agentContext(),
    );
    const result = await agent.execute(approve(prepared), agentContext());
    expect(result.kind).toBe('answer');
    const abi = JSON.parse(fileNamed(result, 'AcmeArt.abi.json')) as Abi;
    expect(
      await chain.read({
        address: result.kind === 'answer' ? (result.data?.address as Address) : '0x',
        abi,
        functionName: 'owner',
      }),
    ).toBe(owner);
  });

  it('refuses a deployment whose simulation reverts, and sends nothing', async () => {
    const before = await nonce();
    const zeroOwner = await agent.prepare(
      { contract: ACME, deploy: true, owner: '0x0000000000000000000000000000000000000000' },
      agentContext(),
    );
    expect(zeroOwner).toMatchObject({
      kind: 'failed',
      data: { status: 'simulation_reverted', error_name: 'OwnableInvalidOwner', sent: false },
    });
    expect(zeroOwner.kind === 'failed' && zeroOwner.output).toMatch(
      /^The chain refused it in simulation: .*OwnableInvalidOwner\(owner: "0x0{40}"\); nothing was sent/,
    );
    expect(await nonce()).toBe(before);
  });

  it('reports a chain it cannot reach as a failure the model can relay', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createRpcChain({
      url: `http://127.0.0.1:${port}/`,
      privateKey: new Secret(generatePrivateKey()),
    });
    const offline = createSmartContractAgent({
      chain: unreachable,
      contracts: createTemplateContractFactory({ chain: unreachable, compiler }),
      ledger,
      ethPriceUsd: 3000,
    });
    const result = await offline.prepare({ contract: ACME, deploy: true }, agentContext());
    expect(result).toMatchObject({ kind: 'failed', data: { status: 'chain_unavailable' } });
    expect(result.kind === 'failed' && result.output).toMatch(
      /^The chain is unavailable: The chain at http:\/\/127\.0\.0\.1:\d+ is not reachable/,
    );
    await unreachable.close();
  });

  it('values the gas at the configured ether price, and refuses to propose without one', async () => {
    const priced = createSmartContractAgent({ chain, contracts, ledger, ethPriceUsd: 3000 });
    const prepared = await priced.prepare({ contract: ACME, deploy: true }, agentContext());
    if (prepared.kind !== 'proposal') throw new Error(`expected a proposal, got ${prepared.kind}`);
    const maxCostEther = Number(
      formatEther(BigInt(prepared.proposal.details.max_cost_wei as string)),
    );
    expect(maxCostEther).toBeGreaterThan(0);
    expect(prepared.proposal.valueUsd).toBe(Math.ceil(maxCostEther * 3000 * 100) / 100);
    expect(prepared.proposal.summary).toContain(
      `($${prepared.proposal.valueUsd.toFixed(2)} at $3000/ETH)`,
    );

    const unpriced = createSmartContractAgent({ chain, contracts, ledger, ethPriceUsd: undefined });
    const refused = await unpriced.prepare({ contract: ACME, deploy: true }, agentContext());
    expect(refused).toMatchObject({ kind: 'failed', data: { status: 'unpriced' } });
    expect(refused.kind === 'failed' && refused.output).toContain('CONCIERGE_CHAIN_ETH_PRICE_USD');
  });
});

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEther, type Abi, type Address, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test/helpers/chain.ts';
import type { Chain } from '../chain.ts';
import { ChainUnavailableError, TransactionRevertedError } from '../chain-errors.ts';
import { createSolcCompiler } from '../compiler/solc-compiler.ts';
import { JsonRpcError } from '../json-rpc-error.ts';
import { createDevChain, devChainJournalPath } from './dev-chain.ts';
import { DEV_CHAIN_ID, DEV_WALLET } from './dev-wallet.ts';

const VAULT = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
contract Vault is Ownable {
    uint256 public stored;
    constructor(address owner_) Ownable(owner_) {}
    function store(uint256 value) external onlyOwner returns (uint256) { stored = value; return value * 2; }
}
`;

describe('dev chain (EDR in process, journaled under the data directory)', () => {
  const dataDir = temporaryDataDir();
  const journal = devChainJournalPath(dataDir.path);
  let vault: { abi: Abi; bytecode: Hex };
  let chain: Chain;
  let vaultAddress: Address;

  beforeAll(async () => {
    const compiler = createSolcCompiler();
    const result = await compiler.compile({ 'Vault.sol': VAULT });
    await compiler.close();
    vault = result.contracts[0]!;
  });
  afterAll(async () => {
    await chain?.close();
    dataDir.remove();
  });

  it('starts only on first use, with the funded dev wallet on chain 31337', async () => {
    chain = createDevChain({ dataDir: dataDir.path });
    expect(existsSync(journal)).toBe(false);
    expect(await chain.chainId()).toBe(DEV_CHAIN_ID);
    expect(existsSync(journal)).toBe(true);
    expect(JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]!)).toMatchObject({
      type: 'genesis',
      chainId: 31337,
      hardfork: 'Osaka',
    });
    expect(await chain.signerAddress()).toBe(DEV_WALLET.address);
    expect(await chain.nativeBalance(DEV_WALLET.address)).toBe(parseEther('10000'));
    const block = await (await chain.client()).getBlock();
    expect(Math.abs(Number(block.timestamp) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('deploys and calls, verifying each receipt and the deployed code', async () => {
    const deployed = await chain.send({ kind: 'deploy', ...vault, args: [DEV_WALLET.address] });
    vaultAddress = deployed.contractAddress!;
    expect(await chain.code(vaultAddress)).toMatch(/^0x[0-9a-f]+$/);
    expect(deployed.gasUsed).toBeGreaterThan(0n);
    expect(deployed.gasEstimate).toBeGreaterThanOrEqual(deployed.gasUsed);
    const stored = await chain.send({
      kind: 'call',
      address: vaultAddress,
      abi: vault.abi,
      functionName: 'store',
      args: [21n],
    });
    expect(stored.result).toBe(42n);
    expect(stored.to).toBe(vaultAddress);
    const receipt = await (await chain.client()).getTransactionReceipt({ hash: stored.hash });
    expect(receipt.status).toBe('success');
    expect(
      await chain.read({ address: vaultAddress, abi: vault.abi, functionName: 'stored' }),
    ).toBe(21n);
  });

  it('refuses a reverting transaction with the decoded reason, and sends nothing', async () => {
    const client = await chain.client();
    const nonceBefore = await client.getTransactionCount({ address: DEV_WALLET.address });
    const blockBefore = await client.getBlockNumber();
    const stranger = (
      await chain.send({
        kind: 'deploy',
        ...vault,
        args: ['0x000000000000000000000000000000000000dEaD'],
      })
    ).contractAddress!;
    const error = await chain
      .send({ kind: 'call', address: stranger, abi: vault.abi, functionName: 'store', args: [1n] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionRevertedError);
    const reason = (error as TransactionRevertedError).reason;
    expect(reason.errorName).toBe('OwnableUnauthorizedAccount');
    expect(reason.args).toEqual([DEV_WALLET.address]);
    expect((error as Error).message).toBe(
      `Calling store on ${stranger} would revert with OwnableUnauthorizedAccount(account: "${DEV_WALLET.address}"); nothing was sent.`,
    );
    expect(await client.getTransactionCount({ address: DEV_WALLET.address })).toBe(nonceBefore + 1);
    expect(await client.getBlockNumber()).toBe(blockBefore + 1n);
  });

  it('refuses methods that would change state outside the journal', async () => {
    for (const method of [
      'evm_mine',
      'hardhat_setBalance',
      'eth_sendTransaction',
      'evm_snapshot',
    ]) {
      await expect(chain.request({ method, params: [] })).rejects.toThrow(JsonRpcError);
    }
  });

  it('keeps its state across a restart: same blocks, balances, code and storage', async () => {
    const client = await chain.client();
    const before = await client.getBlock();
    const balanceBefore = await chain.nativeBalance(DEV_WALLET.address);
    await chain.close();

    chain = createDevChain({ dataDir: dataDir.path });
    const after = await (await chain.client()).getBlock({ blockNumber: before.number });
    expect(after.hash).toBe(before.hash);
    expect(await chain.nativeBalance(DEV_WALLET.address)).toBe(balanceBefore);
    expect(
      await chain.read({ address: vaultAddress, abi: vault.abi, functionName: 'stored' }),
    ).toBe(21n);
    const next = await chain.send({
      kind: 'call',
      address: vaultAddress,
      abi: vault.abi,
      functionName: 'store',
      args: [5n],
    });
    expect(next.blockNumber).toBe(before.number + 1n);
    const nextBlock = await (await chain.client()).getBlock({ blockNumber: next.blockNumber });
    expect(Math.abs(Number(nextBlock.timestamp) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('refuses a second chain on the same data directory while one runs', async () => {
    const second = createDevChain({ dataDir: dataDir.path });
    await expect(second.chainId()).rejects.toThrow(/already running in process/);
  });

  it('recovers from a journal whose last line a crash cut short', async () => {
    const block = await (await chain.client()).getBlockNumber();
    await chain.close();
    writeFileSync(journal, `${readFileSync(journal, 'utf8')}{"type":"transaction","raw":"0x02f8`);
    chain = createDevChain({ dataDir: dataDir.path });
    expect(await (await chain.client()).getBlockNumber()).toBe(block);
    expect(readFileSync(journal, 'utf8').endsWith('}\n')).toBe(true);
  });

  it('refuses to start from a journal that replays differently, naming the file', async () => {
    await chain.close();
    const original = readFileSync(journal, 'utf8');
    const lines = original.trimEnd().split('\n');
    const tampered = JSON.parse(lines[1]!) as { blockHash: string };
    tampered.blockHash = `0x${'ab'.repeat(32)}`;
    writeFileSync(
      journal,
      [lines[0], JSON.stringify(tampered), ...lines.slice(2)].join('\n') + '\n',
    );
    chain = createDevChain({ dataDir: dataDir.path });
    const error = await chain.chainId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChainUnavailableError);
    expect((error as Error).message).toContain(
      `The dev chain journal ${journal} could not be replayed`,
    );
    writeFileSync(journal, original);
    expect(await chain.chainId()).toBe(DEV_CHAIN_ID);
  });
});

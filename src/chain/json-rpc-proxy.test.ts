import { encodeErrorResult, encodeFunctionData, parseAbi, type Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../test/helpers/chain.ts';
import { createSolcCompiler } from './compiler/solc-compiler.ts';
import { createDevChain } from './dev-chain/dev-chain.ts';
import { DEV_WALLET } from './dev-chain/dev-wallet.ts';
import { answerJsonRpc, MAX_BATCH } from './json-rpc-proxy.ts';

const GUARD =
  'pragma solidity ^0.8.27;\ncontract Guard { error Closed(uint256 code); function check() external pure { revert Closed(7); } }\n';

describe('JSON-RPC proxy (read methods only)', () => {
  const dataDir = temporaryDataDir();
  const chain = createDevChain({ dataDir: dataDir.path });
  let guard: Address;
  beforeAll(async () => {
    const compiler = createSolcCompiler();
    const compiled = (await compiler.compile({ 'Guard.sol': GUARD })).contracts[0]!;
    await compiler.close();
    guard = (await chain.send({ kind: 'deploy', abi: compiled.abi, bytecode: compiled.bytecode }))
      .contractAddress!;
  });
  afterAll(async () => {
    await chain.close();
    dataDir.remove();
  });
  const call = (method: string, params: unknown[] = [], id: string | number = 1) =>
    answerJsonRpc(chain, { jsonrpc: '2.0', id, method, params });

  it('answers read methods with the request id', async () => {
    expect(await call('eth_chainId', [], 'a')).toEqual({
      jsonrpc: '2.0',
      id: 'a',
      result: '0x7a69',
    });
    expect(await call('net_version', [], 2)).toEqual({ jsonrpc: '2.0', id: 2, result: '31337' });
    expect(await call('eth_blockNumber')).toEqual({ jsonrpc: '2.0', id: 1, result: '0x1' });
    expect(await call('eth_getBalance', [DEV_WALLET.address, 'latest'])).toMatchObject({
      result: expect.stringMatching(/^0x21e1/),
    });
    expect(await call('eth_getCode', [guard, 'latest'])).toMatchObject({
      result: expect.stringMatching(/^0x6080/),
    });
    expect(await call('web3_clientVersion')).toMatchObject({
      result: expect.stringMatching(/^edr\//),
    });
  });

  it('answers a reverting eth_call with code 3 and the revert bytes, as clients expect to decode', async () => {
    const data = encodeFunctionData({ abi: parseAbi(['function check()']), functionName: 'check' });
    const answer = await call('eth_call', [{ to: guard, data }, 'latest']);
    const closed = encodeErrorResult({
      abi: parseAbi(['error Closed(uint256 code)']),
      errorName: 'Closed',
      args: [7n],
    });
    expect(answer).toMatchObject({ id: 1, error: { code: 3, data: closed } });
  });

  it('refuses signing, sending and node control with -32601, changing nothing', async () => {
    for (const method of [
      'eth_sendTransaction',
      'eth_sendRawTransaction',
      'eth_sign',
      'personal_sign',
      'eth_signTypedData_v4',
      'hardhat_setBalance',
      'evm_mine',
      'evm_increaseTime',
      'debug_setHead',
      'eth_unknownThing',
    ]) {
      const answer = await call(method, [DEV_WALLET.address]);
      expect(answer).toMatchObject({
        id: 1,
        error: {
          code: -32601,
          message: expect.stringContaining(`The method ${method} is not available here`),
        },
      });
    }
    expect(await call('eth_blockNumber')).toMatchObject({ result: '0x1' });
  });

  it('passes invalid parameters through as -32602', async () => {
    expect(await call('eth_getBalance', ['not-an-address', 'latest'])).toMatchObject({
      error: { code: -32602 },
    });
  });

  it('answers malformed requests with -32600', async () => {
    const invalid = {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: expect.stringMatching(/^Invalid Request/) },
    };
    for (const body of [
      undefined,
      42,
      'eth_chainId',
      { id: 1, method: 'eth_chainId' },
      { jsonrpc: '1.0', id: 1, method: 'eth_chainId' },
      { jsonrpc: '2.0', id: { nested: true }, method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 1, method: 7 },
    ]) {
      const answer = await answerJsonRpc(chain, body);
      expect(answer).toMatchObject(
        body !== null && typeof body === 'object' && 'id' in body && typeof body.id === 'number'
          ? { ...invalid, id: 1 }
          : invalid,
      );
    }
    expect(
      await answerJsonRpc(chain, { jsonrpc: '2.0', id: 5, method: 'eth_chainId', params: 'x' }),
    ).toMatchObject({ id: 5, error: { code: -32600 } });
  });

  it('answers batches in order, skipping notifications, and bounds their size', async () => {
    const answers = await answerJsonRpc(chain, [
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
      { jsonrpc: '2.0', method: 'eth_blockNumber' },
      { jsonrpc: '2.0', id: 2, method: 'eth_sendTransaction', params: [{}] },
      7,
    ]);
    expect(answers).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x7a69' },
      { jsonrpc: '2.0', id: 2, error: expect.objectContaining({ code: -32601 }) },
      { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32600 }) },
    ]);
    expect(await answerJsonRpc(chain, [{ jsonrpc: '2.0', method: 'eth_chainId' }])).toBeUndefined();
    expect(await answerJsonRpc(chain, [])).toMatchObject({
      id: null,
      error: { code: -32600, message: 'Invalid Request: the batch is empty.' },
    });
    const tooMany = Array.from({ length: MAX_BATCH + 1 }, (_item, index) => ({
      jsonrpc: '2.0',
      id: index,
      method: 'eth_chainId',
    }));
    expect(await answerJsonRpc(chain, tooMany)).toMatchObject({
      id: null,
      error: { code: -32600 },
    });
  });
});

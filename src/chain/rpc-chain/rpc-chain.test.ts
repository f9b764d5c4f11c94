import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEther, type Abi, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test/helpers/chain.ts';
import { Secret } from '../../config/secret.ts';
import type { Chain } from '../chain.ts';
import {
  ChainSignerMissingError,
  ChainUnavailableError,
  TransactionRevertedError,
} from '../chain-errors.ts';
import { createSolcCompiler } from '../compiler/solc-compiler.ts';
import { createDevChain } from '../dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../dev-chain/dev-wallet.ts';
import { JsonRpcError } from '../json-rpc-error.ts';
import { createRpcChain } from './rpc-chain.ts';

const VAULT = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
contract Vault is Ownable {
    uint256 public stored;
    constructor(address owner_) Ownable(owner_) {}
    function store(uint256 value) external onlyOwner returns (uint256) { stored = value; return value + 1; }
}
`;

/** A real JSON-RPC node over HTTP: a dev chain behind node:http, answering as any Ethereum node does. */
function serveOverHttp(chain: Chain): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const call = JSON.parse(text) as { id: number; method: string; params: unknown };
      chain
        .request({ method: call.method, params: call.params })
        .then((result) => ({ jsonrpc: '2.0', id: call.id, result }))
        .catch((error: unknown) => ({
          jsonrpc: '2.0',
          id: call.id,
          error:
            error instanceof JsonRpcError
              ? error.toJSON()
              : { code: -32603, message: String(error) },
        }))
        .then((answer) =>
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(answer)),
        );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }),
    ),
  );
}

describe('RPC chain (any JSON-RPC URL, signer key from config)', () => {
  const dataDir = temporaryDataDir();
  const node = createDevChain({ dataDir: dataDir.path });
  const key = generatePrivateKey();
  const signer = privateKeyToAddress(key);
  let served: { url: string; server: Server };
  let vault: { abi: Abi; bytecode: Hex };

  beforeAll(async () => {
    const compiler = createSolcCompiler();
    vault = (await compiler.compile({ 'Vault.sol': VAULT })).contracts[0]!;
    await compiler.close();
    served = await serveOverHttp(node);
    await node.send({ kind: 'transfer', to: signer, value: parseEther('1') });
  });
  afterAll(async () => {
    served.server.close();
    await node.close();
    dataDir.remove();
  });

  it('reads the chain id and balances from the URL, and refuses to send without a key', async () => {
    const readOnly = createRpcChain({ url: served.url, privateKey: undefined });
    expect(await readOnly.chainId()).toBe(31337);
    expect(await readOnly.nativeBalance(signer)).toBe(parseEther('1'));
    await expect(readOnly.signerAddress()).rejects.toBeInstanceOf(ChainSignerMissingError);
    await expect(
      readOnly.send({ kind: 'transfer', to: DEV_WALLET.address, value: 1n }),
    ).rejects.toThrow('set CONCIERGE_CHAIN_PRIVATE_KEY');
  });

  it('deploys and calls as the configured signer, verifying receipts over HTTP', async () => {
    const chain = createRpcChain({ url: served.url, privateKey: new Secret(key) });
    expect(await chain.signerAddress()).toBe(signer);
    const deployed = await chain.send({ kind: 'deploy', ...vault, args: [signer] });
    expect(deployed.from.toLowerCase()).toBe(signer.toLowerCase());
    expect(await node.code(deployed.contractAddress!)).toMatch(/^0x[0-9a-f]+$/);
    const stored = await chain.send({
      kind: 'call',
      address: deployed.contractAddress!,
      abi: vault.abi,
      functionName: 'store',
      args: [41n],
    });
    expect(stored.result).toBe(42n);
    expect(
      await node.read({
        address: deployed.contractAddress!,
        abi: vault.abi,
        functionName: 'stored',
      }),
    ).toBe(41n);
  });

  it('decodes a revert that arrives over HTTP and sends nothing', async () => {
    const chain = createRpcChain({ url: served.url, privateKey: new Secret(key) });
    const foreign = (await node.send({ kind: 'deploy', ...vault, args: [DEV_WALLET.address] }))
      .contractAddress!;
    const nonce = await (await chain.client()).getTransactionCount({ address: signer });
    const error = await chain
      .send({ kind: 'call', address: foreign, abi: vault.abi, functionName: 'store', args: [1n] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionRevertedError);
    expect((error as TransactionRevertedError).reason.errorName).toBe('OwnableUnauthorizedAccount');
    expect((error as TransactionRevertedError).reason.args).toEqual([signer]);
    expect(await (await chain.client()).getTransactionCount({ address: signer })).toBe(nonce);
  });

  it('reports an unreachable node as unavailable without echoing credentials from the URL', async () => {
    const chain = createRpcChain({
      url: 'http://user:hunter2@127.0.0.1:1/v3/abc123?key=secret-token',
      privateKey: undefined,
    });
    const error = await chain.chainId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChainUnavailableError);
    expect((error as Error).message).toMatch(
      /^The chain at http:\/\/127\.0\.0\.1:1\/… is not reachable/,
    );
    for (const secret of ['hunter2', 'abc123', 'secret-token'])
      expect((error as Error).message).not.toContain(secret);
  });
});

import type { FastifyInstance } from 'fastify';
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  type Chain as ViemChain,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test/helpers/chain.ts';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { createDevChain } from '../../chain/dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../../chain/dev-chain/dev-wallet.ts';
import { DEFAULT_PROJECT_ID } from '../../domain/project.ts';
import { createAuthenticator } from '../../http/auth.ts';
import { createHttpServer } from '../../http/server.ts';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../storage/store.ts';
import { createApiKeysService } from '../organization/projects/api-keys/api-keys.service.ts';
import {
  createProjectsService,
  ensureDefaultProject,
} from '../organization/projects/projects.service.ts';
import { chainRoutes } from './chain.routes.ts';

const ADMIN_KEY = 'admin-key-for-chain-tests';

describe('POST /v1/chain/rpc', () => {
  const dataDir = temporaryDataDir();
  const chain = createDevChain({ dataDir: dataDir.path });
  let store: Store;
  let server: FastifyInstance;
  let projectKey: string;

  beforeAll(async () => {
    store = createSqliteStore(':memory:');
    await store.migrate();
    await ensureDefaultProject(store);
    const projects = createProjectsService({ store, onAccessChanged: () => {} });
    projectKey = (
      await createApiKeysService({ store, projects, onAccessChanged: () => {} }).create(
        DEFAULT_PROJECT_ID,
        'chain reader',
      )
    ).value;
    const authenticator = createAuthenticator({ store, adminKey: ADMIN_KEY });
    server = await createHttpServer({
      routes: chainRoutes(chain),
      authenticator,
      bodyLimit: 1024 * 1024,
      logger: false,
    });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await chain.close();
    dataDir.remove();
  });

  const rpc = (body: unknown, key = projectKey) =>
    request(server, 'POST', '/v1/chain/rpc', body, { authorization: `Bearer ${key}` });

  it('needs an API key, answering as OpenAI does without one', async () => {
    const response = await request(
      server,
      'POST',
      '/v1/chain/rpc',
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
      { authorization: '' },
    );
    expect(response.status).toBe(401);
    expect(errorOf(response).message).toMatch(/You didn't provide an API key/);
  });

  it('answers read methods for a project key with HTTP 200 and a JSON-RPC body', async () => {
    const response = await rpc({ jsonrpc: '2.0', id: 7, method: 'eth_chainId', params: [] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ jsonrpc: '2.0', id: 7, result: '0x7a69' });
    const batch = await rpc(
      [
        { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber' },
        { jsonrpc: '2.0', id: 2, method: 'net_version' },
      ],
      ADMIN_KEY,
    );
    expect(batch.body).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x0' },
      { jsonrpc: '2.0', id: 2, result: '31337' },
    ]);
  });

  it('refuses signing and node control with a JSON-RPC -32601 error, still HTTP 200', async () => {
    for (const method of [
      'eth_sendTransaction',
      'eth_sendRawTransaction',
      'hardhat_setBalance',
      'evm_mine',
    ]) {
      const response = await rpc({ jsonrpc: '2.0', id: 1, method, params: [] }, ADMIN_KEY);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32601 } });
    }
  });

  it('answers malformed JSON-RPC with -32600, and a notification-only request with 204', async () => {
    const malformed = await rpc({ method: 'eth_chainId' });
    expect(malformed.status).toBe(200);
    expect(malformed.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    const notification = await rpc({ jsonrpc: '2.0', method: 'eth_chainId' });
    expect(notification.status).toBe(204);
    expect(notification.body).toBe('');
  });

  it('serves viem over a real socket: reads work, sending is refused', async () => {
    const base = await server.listen({ port: 0, host: '127.0.0.1' });
    const transport = http(`${base}/v1/chain/rpc`, {
      fetchOptions: { headers: { authorization: `Bearer ${projectKey}` } },
      retryCount: 0,
    });
    const devChain: ViemChain = {
      id: 31337,
      name: 'Concierge dev chain',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [] } },
    };
    const client = createPublicClient({ chain: devChain, transport });
    expect(await client.getChainId()).toBe(31337);
    expect(await client.getBalance({ address: DEV_WALLET.address })).toBe(parseEther('10000'));
    const wallet = createWalletClient({
      chain: devChain,
      transport,
      account: privateKeyToAccount(DEV_WALLET.privateKey),
    });
    await expect(wallet.sendTransaction({ to: DEV_WALLET.address, value: 1n })).rejects.toThrow(
      /not available here/,
    );
    expect(await client.getBlockNumber()).toBe(0n);
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDataDir } from '../../../test/helpers/chain.ts';
import { request } from '../../../test/helpers/inject.ts';
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
import { chainRoutes, type ChainRpcOptions } from './chain.routes.ts';

/** Creation code that loops forever (JUMPDEST PUSH1 0 JUMP): it runs until its gas is gone. */
const INFINITE_LOOP = '0x5b600056';
/** Creation code that returns the gas left to it (GAS PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN). */
const GAS_LEFT = '0x5a60005260206000f3';
const GAS_CAP = 1_000_000n;

/** An eth_call of the infinite loop. */
const loop = (id: number, gas?: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'eth_call',
  params: [{ data: INFINITE_LOOP, ...(gas ? { gas } : {}) }, 'latest'],
});

/** A batch of `size` eth_chainId requests. */
const batch = (size: number) =>
  Array.from({ length: size }, (_item, index) => ({
    jsonrpc: '2.0',
    id: index,
    method: 'eth_chainId',
  }));

describe('POST /v1/chain/rpc: one project cannot hold the shared chain', () => {
  const dataDir = temporaryDataDir();
  const chain = createDevChain({ dataDir: dataDir.path });
  let store: Store;
  const servers: FastifyInstance[] = [];
  let server: FastifyInstance;
  let quickServer: FastifyInstance;
  let keyA: string;
  let keyB: string;

  async function serve(options: ChainRpcOptions): Promise<FastifyInstance> {
    const created = await createHttpServer({
      routes: chainRoutes(chain, options),
      authenticator: createAuthenticator({ store, adminKey: 'admin-key-for-chain-limits' }),
      bodyLimit: 1024 * 1024,
      logger: false,
    });
    servers.push(created);
    return created;
  }

  beforeAll(async () => {
    store = createSqliteStore(':memory:');
    await store.migrate();
    await ensureDefaultProject(store);
    const projects = createProjectsService({ store, onAccessChanged: () => {} });
    const keys = createApiKeysService({ store, projects, onAccessChanged: () => {} });
    keyA = (await keys.create(DEFAULT_PROJECT_ID, 'project A')).value;
    const other = await projects.create('project B');
    keyB = (await keys.create(other.id, 'project B')).value;
    server = await serve({
      limits: { gasCap: GAS_CAP, callTimeoutMilliseconds: 30_000, maxBatch: 3 },
      maxInFlightPerProject: 3,
    });
    quickServer = await serve({
      limits: { gasCap: GAS_CAP, callTimeoutMilliseconds: 1, maxBatch: 3 },
      maxInFlightPerProject: 3,
    });
  });
  afterAll(async () => {
    for (const created of servers) await created.close();
    await store.close();
    await chain.close();
    dataDir.remove();
  });

  const rpc = (key: string, body: unknown, on = server) =>
    request(on, 'POST', '/v1/chain/rpc', body, { authorization: `Bearer ${key}` });

  it('runs eth_call and eth_estimateGas with at most the gas cap, whatever gas the caller names', async () => {
    for (const gas of [undefined, '0xf42400']) {
      const answer = await rpc(keyA, {
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_call',
        params: [{ data: GAS_LEFT, ...(gas ? { gas } : {}) }, 'latest'],
      });
      const left = BigInt(answer.body.result);
      expect(left).toBeLessThan(GAS_CAP);
      expect(left).toBeGreaterThan(GAS_CAP - 100_000n);
    }
    // A smaller gas limit than the cap is kept.
    const small = await rpc(keyA, {
      jsonrpc: '2.0',
      id: 2,
      method: 'eth_call',
      params: [{ data: GAS_LEFT, gas: '0x186a0' }, 'latest'],
    });
    expect(BigInt(small.body.result)).toBeLessThan(100_000n);
  });

  it('refuses an estimate that cannot succeed within the gas cap, and estimates one that can', async () => {
    const estimate = await rpc(keyA, {
      jsonrpc: '2.0',
      id: 3,
      method: 'eth_estimateGas',
      params: [{ data: INFINITE_LOOP }],
    });
    expect(estimate.body).toMatchObject({
      id: 3,
      error: { message: expect.stringMatching(/out of gas/) },
    });
    const fits = await rpc(keyA, {
      jsonrpc: '2.0',
      id: 4,
      method: 'eth_estimateGas',
      params: [{ data: GAS_LEFT }],
    });
    expect(BigInt(fits.body.result)).toBeLessThan(100_000n);
  });

  it("answers another project's eth_blockNumber before one project's infinite loops finish", async () => {
    const finished: string[] = [];
    const track = (name: string, answer: Promise<{ body: any }>) =>
      answer.then((response) => {
        finished.push(name);
        return response;
      });
    const loops = [1, 2, 3].map((id) => track(`loop ${id}`, rpc(keyA, loop(id, '0xf42400'))));
    const blockNumber = track(
      'blockNumber',
      rpc(keyB, { jsonrpc: '2.0', id: 9, method: 'eth_blockNumber', params: [] }),
    );
    // The server's own chain work (a service agent reading a balance) does not queue behind them either.
    const serverRead = chain.nativeBalance(DEV_WALLET.address).then((balance) => {
      finished.push('server read');
      return balance;
    });
    expect(await serverRead).toBe(DEV_WALLET.balance);
    expect((await blockNumber).body).toEqual({ jsonrpc: '2.0', id: 9, result: '0x0' });
    for (const answer of await Promise.all(loops))
      expect(answer.body.error.message).toMatch(/out of gas/);
    // At most the loop already running when they arrived went first; two loops still waited.
    expect(finished.indexOf('blockNumber')).toBeLessThanOrEqual(2);
    expect(finished.indexOf('server read')).toBeLessThanOrEqual(1);
    expect(finished.slice(-2).every((name) => name.startsWith('loop'))).toBe(true);
  });

  it('refuses a call over the project limit with HTTP 429 and -32005, while other projects are served', async () => {
    const loops = [1, 2, 3, 4].map((id) => rpc(keyA, loop(id)));
    const other = await rpc(keyB, { jsonrpc: '2.0', id: 7, method: 'eth_chainId' });
    expect(other.body).toEqual({ jsonrpc: '2.0', id: 7, result: '0x7a69' });
    const answers = await Promise.all(loops);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.headers['retry-after']).toBe('1');
    expect(refused[0]!.body).toMatchObject({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32005, message: expect.stringContaining('3 JSON-RPC requests in flight') },
    });
    for (const answer of answers.filter((each) => each.status === 200))
      expect(answer.body.error.message).toMatch(/out of gas/);
    // The places are given back: the project is served again.
    expect((await rpc(keyA, { jsonrpc: '2.0', id: 8, method: 'eth_chainId' })).status).toBe(200);
  });

  it('refuses a batch over the configured size with -32600', async () => {
    expect((await rpc(keyA, batch(3))).body).toHaveLength(3);
    const tooMany = await rpc(keyA, batch(4));
    expect(tooMany.status).toBe(200);
    expect(tooMany.body).toMatchObject({
      id: null,
      error: { code: -32600, message: expect.stringContaining('at most 3 requests') },
    });
  });

  it('answers a call that outlasts the timeout with -32002, queued calls included', async () => {
    const answers = await Promise.all([1, 2, 3].map((id) => rpc(keyA, loop(id), quickServer)));
    for (const [index, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        id: index + 1,
        error: { code: -32002, message: expect.stringContaining('request timed out') },
      });
    }
  });
});

import { parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../config/secret.ts';
import { DEV_CHAIN_ID, DEV_WALLET } from '../dev-chain/dev-wallet.ts';
import { startEdrProvider } from '../dev-chain/edr-provider.ts';
import { createChainSigner } from './chain-signer.ts';
import { createViemChain } from './viem-chain.ts';

describe('transaction sender', () => {
  it('gives every transaction its own nonce even when the node reports a stale pending count', async () => {
    const edr = await startEdrProvider({
      chainId: DEV_CHAIN_ID,
      genesisTime: Math.floor(Date.now() / 1000) - 1,
      fundedAccounts: [{ address: DEV_WALLET.address, balance: DEV_WALLET.balance }],
    });
    // A load-balanced node behind: it keeps answering the pending count it first saw.
    let firstCount: unknown;
    const chain = createViemChain({
      kind: 'rpc',
      chainId: DEV_CHAIN_ID,
      request: async (method, params) => {
        if (method !== 'eth_getTransactionCount') return edr.request(method, params);
        firstCount ??= await edr.request(method, params);
        return firstCount;
      },
      signer: createChainSigner(new Secret(DEV_WALLET.privateKey), DEV_WALLET.label),
      pollingIntervalMilliseconds: 20,
    });
    const recipients: Address[] = [1, 2, 3].map(() => privateKeyToAddress(generatePrivateKey()));
    const sent = await Promise.all(
      recipients.map((to) => chain.send({ kind: 'transfer', to, value: parseEther('1') })),
    );
    const client = await chain.client();
    const nonces = await Promise.all(
      sent.map(async ({ hash }) => (await client.getTransaction({ hash })).nonce),
    );
    expect(nonces).toEqual([0, 1, 2]);
    for (const to of recipients) expect(await chain.nativeBalance(to)).toBe(parseEther('1'));
  });
});

/**
 * An x402 facilitator signer over the `Chain` port, so a facilitator settles through the same path as
 * every other transaction: simulated first (a revert is refused, nothing sent), signed by the chain's
 * signer, receipt verified. Used by the demo merchant's in-process facilitator.
 */
import type { FacilitatorEvmSigner } from '@x402/evm';
import type { Abi, Address, Hex } from 'viem';
import type { Chain } from '../../../../chain/chain.ts';

export async function createChainFacilitatorSigner(chain: Chain): Promise<FacilitatorEvmSigner> {
  const address = await chain.signerAddress();
  const client = await chain.client();
  return {
    getAddresses: () => [address],
    readContract: (call) =>
      chain.read({
        address: call.address,
        abi: call.abi as Abi,
        functionName: call.functionName,
        args: call.args ?? [],
      }),
    verifyTypedData: (typed) =>
      client.verifyTypedData({
        address: typed.address,
        domain: typed.domain,
        types: typed.types,
        primaryType: typed.primaryType,
        message: typed.message,
        signature: typed.signature,
      } as Parameters<typeof client.verifyTypedData>[0]),
    async writeContract(call) {
      const sent = await chain.send({
        kind: 'call',
        address: call.address,
        abi: call.abi as Abi,
        functionName: call.functionName,
        args: call.args,
      });
      return sent.hash;
    },
    sendTransaction() {
      // Only counterfactual (ERC-6492) smart-wallet deployments use raw calldata; they are not accepted here.
      return Promise.reject(
        new Error('This facilitator does not deploy smart wallets (ERC-6492).'),
      );
    },
    async waitForTransactionReceipt({ hash }) {
      const receipt = await client.waitForTransactionReceipt({ hash: hash as Hex });
      return { status: receipt.status, logs: receipt.logs };
    },
    getCode: ({ address: target }) => chain.code(target as Address),
  };
}

/**
 * The `Chain` port over any JSON-RPC `request` function, through viem. Both adapters use it: the dev
 * chain hands it EDR, the RPC chain an HTTP transport. It owns the rules every transaction follows:
 * simulate as the signer (a revert is refused with its decoded reason), send signed by the signer,
 * then verify the receipt (and the deployed code) before reporting success.
 */
import {
  createPublicClient,
  custom,
  defineChain,
  erc20Abi,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import type { Chain, ChainKind, JsonRpcCall, Simulation, TransactionIntent } from '../chain.ts';
import { ChainSignerMissingError } from '../chain-errors.ts';
import type { ChainSigner } from './chain-signer.ts';
import { encodeIntent } from './encoded-intent.ts';
import { throwCallFailure } from './revert-reason.ts';
import { createTransactionSender } from './transaction-sender.ts';

export interface ViemChainOptions {
  kind: ChainKind;
  chainId: number;
  /** One JSON-RPC call; errors are thrown as the node answered them (`JsonRpcError` or viem's). */
  request(method: string, params?: unknown): Promise<unknown>;
  /** How the proxy's calls (`Chain.request`) reach the node, when not like the server's own (`request`). */
  proxiedRequest?(call: JsonRpcCall): Promise<unknown>;
  /** Undefined for a read-only chain: `send` and `simulate` then throw `ChainSignerMissingError`. */
  signer: ChainSigner | undefined;
  /** How often to poll for a receipt; the dev chain mines at once, a remote chain takes seconds. */
  pollingIntervalMilliseconds?: number;
  /** How long to wait for a receipt before giving up (the transaction may still be mined later). */
  receiptTimeoutMilliseconds?: number;
  close?(): Promise<void>;
}

export function createViemChain(options: ViemChainOptions): Chain {
  const viemChain = defineChain({
    id: options.chainId,
    name: options.kind === 'dev' ? 'Concierge dev chain' : `Chain ${options.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
  // retryCount 0: viem would otherwise retry every revert with backoff, about a second each.
  // cacheTime 0: a block number or nonce read right after a send must already see that send.
  const transport = custom(
    { request: ({ method, params }) => options.request(method, params) },
    { retryCount: 0 },
  );
  const client = createPublicClient({
    chain: viemChain,
    transport,
    pollingInterval: options.pollingIntervalMilliseconds ?? 1000,
    cacheTime: 0,
  }) as PublicClient;

  function signer(): ChainSigner {
    if (!options.signer) throw new ChainSignerMissingError();
    return options.signer;
  }

  async function simulate(intent: TransactionIntent): Promise<Simulation> {
    const from = signer().address;
    const encoded = encodeIntent(intent);
    const call = { account: from, to: encoded.to, data: encoded.data, value: encoded.value };
    let returned: Hex | undefined;
    let gasEstimate: bigint;
    try {
      returned = (await client.call(call)).data;
      gasEstimate = await client.estimateGas(call);
    } catch (error) {
      throwCallFailure(error, encoded.abi, encoded.describe);
    }
    return { chainId: options.chainId, from, gasEstimate, result: encoded.decodeResult(returned) };
  }

  const sender = createTransactionSender({
    client,
    chainId: options.chainId,
    request: options.request,
    signer,
    simulate,
    receiptTimeoutMilliseconds: options.receiptTimeoutMilliseconds ?? 120_000,
  });

  async function read(call: {
    address: Address;
    abi: Abi;
    functionName: string;
    args?: readonly unknown[];
  }): Promise<unknown> {
    try {
      return await client.readContract({
        address: call.address,
        abi: call.abi,
        functionName: call.functionName,
        args: call.args ?? [],
      });
    } catch (error) {
      throwCallFailure(error, call.abi, `Reading ${call.functionName} on ${call.address}`);
    }
  }

  return {
    kind: options.kind,
    chainId: async () => options.chainId,
    signerAddress: async () => signer().address,
    client: async () => client,
    read,
    nativeBalance: (address) => client.getBalance({ address }),
    tokenBalance: async (token, owner) =>
      (await read({
        address: token,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [owner],
      })) as bigint,
    code: (address) => client.getCode({ address }),
    simulate,
    send: (intent) => sender.send(intent),
    withSigner: (work) => sender.sequence(work),
    signTypedData: async (typedData) => signer().signTypedData(typedData),
    request: (call) =>
      options.proxiedRequest
        ? options.proxiedRequest({ ...call, params: call.params ?? [] })
        : options.request(call.method, call.params ?? []),
    close: async () => options.close?.(),
  };
}

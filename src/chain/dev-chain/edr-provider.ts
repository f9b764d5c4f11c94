/**
 * EDR 0.13 (Hardhat's Rust EVM, in process) behind a plain JSON-RPC `request` function, with the
 * integration traps handled here so no caller sees them:
 * - the default gas limit stays under the EIP-7825 transaction gas cap (2^24); EDR rejects 30M;
 * - `bailOnCallFailure`, or a reverted `eth_call`/`eth_estimateGas` would come back as a success;
 * - transactions do NOT bail: a reverting transaction is mined and answers its hash, with receipt
 *   status 0, exactly as a real node does (bailing would mine it and still answer an error);
 * - EDR reports reverts as code -32000 with the bytes in `data.data`; they are remapped to code 3
 *   with the bytes as `data`, the shape viem, ethers and cast decode custom errors from.
 */
import {
  ContractDecoder,
  EdrContext,
  L1_CHAIN_TYPE,
  l1GenesisState,
  l1HardforkLatest,
  l1HardforkToString,
  l1ProviderFactory,
  MineOrdering,
  type Provider,
} from '@nomicfoundation/edr';
import { hexToBytes, type Address } from 'viem';
import { JSON_RPC_CODES, JsonRpcError } from '../json-rpc-error.ts';

/** EIP-7825's per-transaction gas cap; a larger default gas limit is rejected. */
export const TRANSACTION_GAS_CAP = 16_777_216n;

export interface EdrChainSpec {
  chainId: number;
  /** Unix seconds of the genesis block; replaying a journal needs the same value. */
  genesisTime: number;
  /** Accounts funded at genesis, with their balances in wei. */
  fundedAccounts: ReadonlyArray<{ address: Address; balance: bigint }>;
}

export interface EdrRequester {
  /** One JSON-RPC call; an error answer throws `JsonRpcError` (reverts as code 3 with the revert bytes). */
  request(method: string, params?: unknown): Promise<unknown>;
}

/**
 * EDR allows one context per process ("Should only be called once!"; a second one logs a tracing
 * error), so the context is the one process-wide object of this module; every chain gets its own provider.
 */
let sharedContext: Promise<EdrContext> | undefined;

function edrContext(): Promise<EdrContext> {
  sharedContext ??= (async () => {
    const context = new EdrContext();
    await context.registerProviderFactory(L1_CHAIN_TYPE, l1ProviderFactory());
    return context;
  })();
  return sharedContext;
}

/** The hardfork the dev chain runs: EDR's latest, Osaka in 0.13. */
export const DEV_CHAIN_HARDFORK = l1HardforkToString(l1HardforkLatest());

export async function startEdrProvider(spec: EdrChainSpec): Promise<EdrRequester> {
  const context = await edrContext();
  const provider: Provider = await context.createProvider(
    L1_CHAIN_TYPE,
    {
      allowBlocksWithSameTimestamp: false,
      allowUnlimitedContractSize: false,
      bailOnCallFailure: true,
      bailOnTransactionFailure: false,
      chainId: BigInt(spec.chainId),
      coinbase: new Uint8Array(20),
      defaultTransactionGasLimit: TRANSACTION_GAS_CAP,
      genesisState: [
        ...l1GenesisState(l1HardforkLatest()),
        ...spec.fundedAccounts.map((account) => ({
          address: hexToBytes(account.address),
          balance: account.balance,
        })),
      ],
      hardfork: DEV_CHAIN_HARDFORK,
      initialBaseFeePerGas: 1_000_000_000n,
      minGasPrice: 0n,
      mining: { autoMine: true, memPool: { order: MineOrdering.Priority } },
      network: { genesisBlockGasLimit: 60_000_000n, genesisBlockTime: BigInt(spec.genesisTime) },
      networkId: BigInt(spec.chainId),
      observability: {},
      ownedAccounts: [],
      precompileOverrides: [],
    },
    { enable: false, decodeConsoleLogInputsCallback: () => [], printLineCallback: () => {} },
    { subscriptionCallback: () => {} },
    new ContractDecoder(),
  );

  let nextId = 1;
  return {
    async request(method, params = []) {
      const response = await provider.handleRequest(
        JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      );
      const body = (
        typeof response.data === 'string' ? JSON.parse(response.data) : response.data
      ) as EdrAnswer;
      if (body.error) throw toJsonRpcError(body.error);
      return body.result;
    },
  };
}

interface EdrAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

function toJsonRpcError(error: { code: number; message: string; data?: unknown }): JsonRpcError {
  const data = error.data as { data?: unknown } | null | undefined;
  const revertBytes =
    typeof data?.data === 'string' && data.data.startsWith('0x') ? data.data : undefined;
  if (revertBytes !== undefined) {
    return new JsonRpcError(
      JSON_RPC_CODES.executionReverted,
      `execution reverted: ${error.message}`,
      revertBytes,
    );
  }
  // EDR echoes the whole request as `data` of some errors; a client gains nothing from it.
  return new JsonRpcError(error.code, error.message);
}

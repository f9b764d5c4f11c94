/**
 * The chain port: everything the server needs from an EVM chain. Two adapters: `dev-chain/` (EDR in
 * process, started lazily, state kept under the data directory) and `rpc-chain/` (any JSON-RPC URL).
 * Every transaction goes through `send`, which simulates first (a revert is refused with its decoded
 * reason and nothing is sent) and verifies the receipt after. Private keys never leave the signer.
 */
import type { Abi, Address, Hex, PublicClient, TypedDataDefinition } from 'viem';

export type ChainKind = 'dev' | 'rpc';

/** A view or pure function call. */
export interface ContractRead {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

/** A state-changing function call, sent by the configured signer. */
export interface ContractWrite extends ContractRead {
  /** Wei sent along. */
  value?: bigint;
}

/** A contract creation, sent by the configured signer. */
export interface ContractDeployment {
  abi: Abi;
  bytecode: Hex;
  /** Constructor arguments. */
  args?: readonly unknown[];
  value?: bigint;
}

/** A plain transfer of ether. */
export interface EtherTransfer {
  to: Address;
  /** Wei. */
  value: bigint;
}

export type TransactionIntent =
  | ({ kind: 'call' } & ContractWrite)
  | ({ kind: 'deploy' } & ContractDeployment)
  | ({ kind: 'transfer' } & EtherTransfer);

/** What a transaction would do, from a simulation against the latest state. Nothing was sent. */
export interface Simulation {
  chainId: number;
  from: Address;
  /** The gas the node estimates; `send` adds a margin. */
  gasEstimate: bigint;
  /** The called function's decoded return value (undefined for deployments). */
  result: unknown;
}

/** A mined transaction whose receipt said success, and, for a deployment, whose code exists. */
export interface SentTransaction {
  chainId: number;
  hash: Hex;
  from: Address;
  /** The called contract or transfer recipient, or null for a deployment. */
  to: Address | null;
  /** The deployed contract's address, or null for a call. */
  contractAddress: Address | null;
  blockNumber: bigint;
  gasEstimate: bigint;
  gasUsed: bigint;
  /** The return value the simulation gave just before sending. */
  result: unknown;
}

/**
 * Steps sent by the signer with nothing else in between: `send` is `Chain.send` for the steps of one
 * sequence (calling `Chain.send` itself inside would wait for the sequence to end, forever).
 */
export type SignerSequence<T> = (
  send: (intent: TransactionIntent) => Promise<SentTransaction>,
) => Promise<T>;

/** One JSON-RPC call, as the proxy forwards it. */
export interface JsonRpcCall {
  method: string;
  params?: unknown;
  /** Who asked (a project): a chain that queues calls lets callers take turns. */
  caller?: string;
  /** Aborted when the proxy stops waiting: a call still queued is then dropped unsent. */
  signal?: AbortSignal;
}

export interface Chain {
  readonly kind: ChainKind;
  /** The chain id (the dev chain starts on first use of any method). */
  chainId(): Promise<number>;
  /** The address of the configured signer; throws `ChainSignerMissingError` when there is none. */
  signerAddress(): Promise<Address>;
  /** A viem public client for reads, typed reads and event queries. */
  client(): Promise<PublicClient>;
  /** Calls a view function and returns its decoded result; a revert throws `TransactionRevertedError`. */
  read(call: ContractRead): Promise<unknown>;
  /** Wei held by `address`. */
  nativeBalance(address: Address): Promise<bigint>;
  /** ERC-20 `balanceOf(owner)` of `token`. */
  tokenBalance(token: Address, owner: Address): Promise<bigint>;
  /** The runtime code at `address`, or undefined when there is none. */
  code(address: Address): Promise<Hex | undefined>;
  /** Simulates `intent` as the signer; a revert throws `TransactionRevertedError` with the decoded reason. */
  simulate(intent: TransactionIntent): Promise<Simulation>;
  /**
   * Simulates, then signs and sends `intent`, waits for the receipt and verifies it (status success;
   * code at the new address for a deployment). Sends from one signer are serialized, so nonces never race.
   * Throws `TransactionRevertedError` (refused before sending) or `TransactionFailedError` (mined but failed).
   */
  send(intent: TransactionIntent): Promise<SentTransaction>;
  /**
   * Runs `work` holding the signer: its sends go out in order, and no other send of this chain's
   * signer lands until `work` settles. For steps that depend on each other (approve exactly an amount,
   * then spend it; read a balance, send, verify the balance moved by exactly that send).
   */
  withSigner<T>(work: SignerSequence<T>): Promise<T>;
  /**
   * Signs EIP-712 typed data as the signer, for authorizations that someone else submits (an ERC-3009
   * `TransferWithAuthorization` that pays an x402 merchant). Nothing is sent. Throws
   * `ChainSignerMissingError` when there is no signer.
   */
  signTypedData(typedData: TypedDataDefinition): Promise<Hex>;
  /**
   * One raw JSON-RPC call against the chain, unfiltered: the proxy applies its own allowlist and caps
   * first. The chain serves its own transactions' requests before these.
   */
  request(call: JsonRpcCall): Promise<unknown>;
  /** Releases the chain (the dev chain stops; its state stays on disk). */
  close(): Promise<void>;
}

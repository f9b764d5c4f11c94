/**
 * Sends transactions for one signer, one at a time: simulate against the latest state, sign with an
 * explicit nonce (from the chain's one nonce manager) and fees, send the raw transaction, wait for the
 * receipt, and verify it. Serializing keeps nonces from racing and makes the simulation describe
 * exactly the state the send meets. A sequence whose steps depend on each other (approve, then spend
 * the allowance) holds the signer for all of its steps, so no other send lands between them.
 */
import { getAddress, type Hex, type PublicClient } from 'viem';
import type { SentTransaction, SignerSequence, Simulation, TransactionIntent } from '../chain.ts';
import { ChainUnavailableError, TransactionFailedError } from '../chain-errors.ts';
import type { ChainSigner } from './chain-signer.ts';
import { encodeIntent } from './encoded-intent.ts';
import { createNonceManager } from './nonce-manager.ts';
import { throwCallFailure } from './revert-reason.ts';

/** EIP-7825's per-transaction gas cap; the margin never pushes a fitting estimate over it. */
const TRANSACTION_GAS_CAP = 16_777_216n;

export interface TransactionSenderOptions {
  client: PublicClient;
  chainId: number;
  request(method: string, params?: unknown): Promise<unknown>;
  signer(): ChainSigner;
  simulate(intent: TransactionIntent): Promise<Simulation>;
  receiptTimeoutMilliseconds: number;
}

/** 20% over the estimate: state can shift between estimate and inclusion on a shared chain. */
function withMargin(estimate: bigint): bigint {
  const padded = estimate + estimate / 5n;
  return estimate <= TRANSACTION_GAS_CAP && padded > TRANSACTION_GAS_CAP
    ? TRANSACTION_GAS_CAP
    : padded;
}

export function createTransactionSender(options: TransactionSenderOptions) {
  const { client, chainId } = options;
  let tail: Promise<unknown> = Promise.resolve();
  const nonces = createNonceManager(() =>
    client.getTransactionCount({ address: options.signer().address, blockTag: 'pending' }),
  );

  async function sendNow(intent: TransactionIntent): Promise<SentTransaction> {
    const signer = options.signer();
    const simulation = await options.simulate(intent);
    const encoded = encodeIntent(intent);
    const gas = withMargin(simulation.gasEstimate);
    let hash: Hex;
    try {
      const nonce = await nonces.next();
      const fees = await client.estimateFeesPerGas();
      const raw = await signer.signTransaction({
        type: 'eip1559',
        chainId,
        nonce,
        gas,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        ...(encoded.to ? { to: encoded.to } : {}),
        data: encoded.data,
        ...(encoded.value !== undefined ? { value: encoded.value } : {}),
      });
      try {
        hash = (await options.request('eth_sendRawTransaction', [raw])) as Hex;
      } catch (error) {
        nonces.forget();
        throw error;
      }
      nonces.accepted(nonce);
    } catch (error) {
      throwCallFailure(error, encoded.abi, encoded.describe);
    }

    let receipt;
    try {
      receipt = await client.waitForTransactionReceipt({
        hash,
        timeout: options.receiptTimeoutMilliseconds,
      });
    } catch (error) {
      throw new ChainUnavailableError(
        `Transaction ${hash} was sent, but no receipt arrived (${(error as Error).message}); it may still be mined.`,
      );
    }
    if (receipt.status !== 'success') {
      throw new TransactionFailedError(
        `${encoded.describe} was mined in block ${receipt.blockNumber} but failed (transaction ${hash}).`,
        hash,
      );
    }
    if (intent.kind === 'deploy') {
      const code = receipt.contractAddress
        ? await client.getCode({ address: receipt.contractAddress })
        : undefined;
      if (!receipt.contractAddress || code === undefined) {
        throw new TransactionFailedError(
          `The deployment ${hash} succeeded but left no code at ${receipt.contractAddress ?? 'any address'}.`,
          hash,
        );
      }
    }
    return {
      chainId,
      hash,
      // Checksummed: nodes answer lowercase, and addresses are compared and shown to people.
      from: getAddress(receipt.from),
      to: receipt.to ? getAddress(receipt.to) : null,
      contractAddress:
        intent.kind === 'deploy' && receipt.contractAddress
          ? getAddress(receipt.contractAddress)
          : null,
      blockNumber: receipt.blockNumber,
      gasEstimate: simulation.gasEstimate,
      gasUsed: receipt.gasUsed,
      result: simulation.result,
    };
  }

  /** Runs `work` after every earlier send or sequence of this signer has settled. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  }

  return {
    /** Queues `intent` behind every earlier send of this signer. */
    send(intent: TransactionIntent): Promise<SentTransaction> {
      return exclusive(() => sendNow(intent));
    },
    /** Queues `work` behind every earlier send, and holds the signer until it settles. */
    sequence<T>(work: SignerSequence<T>): Promise<T> {
      return exclusive(async () => {
        let open = true;
        try {
          return await work((intent) => {
            if (!open) throw new Error('A signer sequence sent a transaction after it had ended.');
            return sendNow(intent);
          });
        } finally {
          open = false;
        }
      });
    },
  };
}

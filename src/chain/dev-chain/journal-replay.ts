/**
 * Rebuilds a dev chain from its journal: each recorded transaction is sent again at its recorded
 * block timestamp, and must land with the recorded transaction and block hashes. Any difference
 * stops the replay: the chain would silently differ from the one the user's assistants acted on.
 */
import { toHex, type Hex } from 'viem';
import type { JournalTransaction } from './chain-journal.ts';
import type { EdrRequester } from './edr-provider.ts';

export class ReplayMismatchError extends Error {
  override name = 'ReplayMismatchError';
}

interface BlockHeader {
  hash: Hex;
  timestamp: Hex;
}

export async function replayJournal(
  edr: EdrRequester,
  transactions: readonly JournalTransaction[],
): Promise<void> {
  for (const [index, entry] of transactions.entries()) {
    await edr.request('evm_setNextBlockTimestamp', [toHex(entry.timestamp)]);
    const hash = (await edr.request('eth_sendRawTransaction', [entry.raw])) as Hex;
    const block = (await edr.request('eth_getBlockByNumber', ['latest', false])) as BlockHeader;
    if (hash !== entry.hash || block.hash !== entry.blockHash) {
      throw new ReplayMismatchError(
        `entry ${index + 1} (transaction ${entry.hash}, block ${entry.blockNumber}) replayed as transaction ${hash} in block ${block.hash}, not ${entry.blockHash}`,
      );
    }
  }
}

/**
 * A replayed chain's clock stands at its last recorded block. Moving it forward to the wall clock
 * makes new blocks (and the `block.timestamp` simulations see) current again, so deadlines hold.
 */
export async function catchUpClock(edr: EdrRequester, nowSeconds: number): Promise<void> {
  const pending = (await edr.request('eth_getBlockByNumber', ['pending', false])) as BlockHeader;
  const behind = nowSeconds - Number(BigInt(pending.timestamp));
  if (behind > 0) await edr.request('evm_increaseTime', [toHex(behind)]);
}

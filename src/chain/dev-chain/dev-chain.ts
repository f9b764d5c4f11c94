/**
 * The embedded dev chain: EDR in process, started on first use, with a funded dev wallet. Its state
 * survives restarts as a journal under `<dataDir>/chain/` (see `chain-journal.ts`): every transaction
 * it mines is recorded, and a start replays them. To keep that replay exact, methods that would
 * change state outside the journal (`evm_*`, `hardhat_*`, `eth_sendTransaction`) are refused.
 */
import { join } from 'node:path';
import type { Hex } from 'viem';
import { Secret } from '../../config/secret.ts';
import { nowSeconds } from '../../domain/clock.ts';
import type { Chain } from '../chain.ts';
import { ChainUnavailableError } from '../chain-errors.ts';
import { JSON_RPC_CODES, JsonRpcError } from '../json-rpc-error.ts';
import { createChainSigner } from '../viem-chain/chain-signer.ts';
import { createLazyChain } from '../viem-chain/lazy-chain.ts';
import { createViemChain } from '../viem-chain/viem-chain.ts';
import {
  appendJournal,
  createJournal,
  JOURNAL_VERSION,
  readJournal,
  rewriteJournal,
  type JournalGenesis,
} from './chain-journal.ts';
import { DEV_CHAIN_ID, DEV_WALLET } from './dev-wallet.ts';
import type { EdrRequester } from './edr-provider.ts';
import { lockJournal } from './journal-lock.ts';
import { createRequestLanes } from './request-lanes.ts';
import { catchUpClock, replayJournal } from './journal-replay.ts';

export interface DevChainOptions {
  /** The server's data directory; the chain keeps its files in `<dataDir>/chain/`. */
  dataDir: string;
}

/** Where the dev chain's journal lives under a data directory. */
export function devChainJournalPath(dataDir: string): string {
  return join(dataDir, 'chain', 'dev-chain.jsonl');
}

const UNJOURNALED = /^(evm_|hardhat_(?!metadata$)|eth_sendTransaction$|eth_sign)/;

function newGenesis(hardfork: string): JournalGenesis {
  return {
    type: 'genesis',
    version: JOURNAL_VERSION,
    chainId: DEV_CHAIN_ID,
    hardfork,
    genesisTime: nowSeconds() - 1,
    fundedAccounts: [{ address: DEV_WALLET.address, balance: DEV_WALLET.balance.toString() }],
  };
}

async function openJournaledEdr(path: string): Promise<{ edr: EdrRequester; chainId: number }> {
  // EDR (a native addon) loads here, on the chain's first use, not when the server starts.
  const { DEV_CHAIN_HARDFORK, startEdrProvider } = await import('./edr-provider.ts');
  const journal = await readJournal(path);
  const genesis = journal?.genesis ?? newGenesis(DEV_CHAIN_HARDFORK);
  if (genesis.hardfork !== DEV_CHAIN_HARDFORK) {
    throw new ChainUnavailableError(
      `The dev chain journal ${path} was recorded under ${genesis.hardfork}, but this EDR runs ${DEV_CHAIN_HARDFORK}. Move the file aside to start a fresh dev chain.`,
    );
  }
  const edr = await startEdrProvider({
    chainId: genesis.chainId,
    genesisTime: genesis.genesisTime,
    fundedAccounts: genesis.fundedAccounts.map((account) => ({
      address: account.address,
      balance: BigInt(account.balance),
    })),
  });
  if (!journal) await createJournal(path, genesis);
  else {
    try {
      await replayJournal(edr, journal.transactions);
    } catch (error) {
      throw new ChainUnavailableError(
        `The dev chain journal ${path} could not be replayed: ${(error as Error).message}. Move the file aside to start a fresh dev chain.`,
      );
    }
    if (journal.truncatedLines > 0) await rewriteJournal(path, journal);
  }
  await catchUpClock(edr, nowSeconds());
  return { edr, chainId: genesis.chainId };
}

function refuseUnjournaled(method: string): void {
  if (UNJOURNALED.test(method)) {
    throw new JsonRpcError(
      JSON_RPC_CODES.methodNotFound,
      `${method} is not available on the Concierge dev chain: its state is a journal of mined transactions, and ${method} would change it outside that journal.`,
    );
  }
}

/** Wraps EDR so every mined transaction is journaled before its hash is answered. */
function journaled(edr: EdrRequester, path: string) {
  let tail: Promise<unknown> = Promise.resolve();
  async function sendRaw(params: unknown): Promise<unknown> {
    const hash = (await edr.request('eth_sendRawTransaction', params)) as Hex;
    const receipt = (await edr.request('eth_getTransactionReceipt', [hash])) as {
      blockNumber: Hex;
      blockHash: Hex;
    } | null;
    if (!receipt)
      throw new JsonRpcError(
        JSON_RPC_CODES.internalError,
        `Transaction ${hash} was accepted but not mined.`,
      );
    const block = (await edr.request('eth_getBlockByHash', [receipt.blockHash, false])) as {
      timestamp: Hex;
    };
    const raw = (params as [Hex])[0];
    await appendJournal(path, {
      type: 'transaction',
      raw,
      hash,
      blockNumber: Number(BigInt(receipt.blockNumber)),
      blockHash: receipt.blockHash,
      timestamp: Number(BigInt(block.timestamp)),
    });
    return hash;
  }
  return async (method: string, params?: unknown): Promise<unknown> => {
    refuseUnjournaled(method);
    if (method !== 'eth_sendRawTransaction') return edr.request(method, params);
    const run = tail.then(() => sendRaw(params));
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The dev chain, not yet started: the first call of any method starts EDR and replays the journal. */
export function createDevChain({ dataDir }: DevChainOptions): Chain {
  const path = devChainJournalPath(dataDir);
  return createLazyChain('dev', async () => {
    let release: () => void;
    try {
      release = await lockJournal(`${path}.lock`);
    } catch (error) {
      throw new ChainUnavailableError(`The dev chain cannot start: ${(error as Error).message}.`);
    }
    try {
      const { edr, chainId } = await openJournaledEdr(path);
      // EDR runs one request at a time: the server's own requests go first, proxied calls take turns.
      const lanes = createRequestLanes();
      const serverEdr: EdrRequester = {
        request: (method, params) => lanes.server(() => edr.request(method, params)),
      };
      const request = journaled(serverEdr, path);
      return createViemChain({
        kind: 'dev',
        chainId,
        request,
        proxiedRequest: async ({ method, params, caller, signal }) => {
          // Whatever mines a transaction is journaled, whoever sends it.
          if (method === 'eth_sendRawTransaction') return request(method, params);
          refuseUnjournaled(method);
          return lanes.proxied(caller ?? '', () => edr.request(method, params), signal);
        },
        signer: createChainSigner(new Secret(DEV_WALLET.privateKey), DEV_WALLET.label),
        pollingIntervalMilliseconds: 20,
        close: async () => release(),
      });
    } catch (error) {
      release();
      throw error;
    }
  });
}

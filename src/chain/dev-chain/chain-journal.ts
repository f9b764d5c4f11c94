/**
 * The dev chain's durable state. EDR 0.13 cannot dump or load its state, so the chain is kept as a
 * journal: the genesis it started from, then every signed transaction it mined, with the timestamp
 * and hash of its block. Replaying the journal into a fresh EDR with the same genesis rebuilds the
 * same chain, block hash for block hash. One JSON object per line; each line is synced to disk
 * before the send that produced it returns.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Address, Hex } from 'viem';

export const JOURNAL_VERSION = 1;

export interface JournalGenesis {
  type: 'genesis';
  version: number;
  chainId: number;
  hardfork: string;
  genesisTime: number;
  /** Balances as decimal strings (JSON has no bigint). */
  fundedAccounts: Array<{ address: Address; balance: string }>;
}

export interface JournalTransaction {
  type: 'transaction';
  /** The signed transaction exactly as it was sent. */
  raw: Hex;
  hash: Hex;
  blockNumber: number;
  blockHash: Hex;
  timestamp: number;
}

export interface Journal {
  genesis: JournalGenesis;
  transactions: JournalTransaction[];
  /** Lines that could not be read: only ever a last line cut short by a crash mid-write. */
  truncatedLines: number;
}

export class JournalError extends Error {
  override name = 'JournalError';
}

function isHex(value: unknown): value is Hex {
  return typeof value === 'string' && /^0x[0-9a-fA-F]*$/.test(value);
}

function parseGenesis(line: string, path: string): JournalGenesis {
  const value = JSON.parse(line) as Partial<JournalGenesis>;
  if (
    value.type !== 'genesis' ||
    value.version !== JOURNAL_VERSION ||
    typeof value.chainId !== 'number' ||
    typeof value.genesisTime !== 'number' ||
    typeof value.hardfork !== 'string' ||
    !Array.isArray(value.fundedAccounts)
  ) {
    throw new JournalError(
      `${path} does not start with a version ${JOURNAL_VERSION} genesis line.`,
    );
  }
  return value as JournalGenesis;
}

function parseTransaction(line: string): JournalTransaction | undefined {
  try {
    const value = JSON.parse(line) as Partial<JournalTransaction>;
    const valid =
      value.type === 'transaction' &&
      isHex(value.raw) &&
      isHex(value.hash) &&
      isHex(value.blockHash) &&
      Number.isInteger(value.blockNumber) &&
      Number.isInteger(value.timestamp);
    return valid ? (value as JournalTransaction) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the journal at `path`, or undefined when there is none yet. */
export async function readJournal(path: string): Promise<Journal | undefined> {
  if (!existsSync(path)) return undefined;
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return undefined;
  let genesis: JournalGenesis;
  try {
    genesis = parseGenesis(lines[0]!, path);
  } catch (error) {
    if (error instanceof JournalError) throw error;
    throw new JournalError(`${path} has an unreadable genesis line: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const transactions: JournalTransaction[] = [];
  for (const [index, line] of lines.slice(1).entries()) {
    const transaction = parseTransaction(line);
    if (transaction) transactions.push(transaction);
    else if (index === lines.length - 2) return { genesis, transactions, truncatedLines: 1 };
    else throw new JournalError(`${path} line ${index + 2} is not a journal entry.`);
  }
  return { genesis, transactions, truncatedLines: 0 };
}

/** Starts a journal holding only `genesis`, replacing nothing: the file is written aside, then renamed. */
export async function createJournal(path: string, genesis: JournalGenesis): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(genesis)}\n`);
  await rename(temporary, path);
}

/** Appends one mined transaction and syncs it to disk. */
export async function appendJournal(path: string, transaction: JournalTransaction): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.appendFile(`${JSON.stringify(transaction)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Rewrites the journal without its unreadable last line, so new entries never follow garbage. */
export async function rewriteJournal(path: string, journal: Journal): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const lines = [journal.genesis, ...journal.transactions].map((entry) => JSON.stringify(entry));
  await writeFile(temporary, `${lines.join('\n')}\n`);
  await rename(temporary, path);
}

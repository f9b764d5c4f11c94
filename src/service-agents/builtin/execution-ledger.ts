/**
 * Makes `execute` of the on-chain agents idempotent by proposal id, as the built-in agent port asks: the
 * framework calls `execute` once per proposal, but may call it again after a crash, and a transaction
 * must never go out twice. Each proposal gets one file under the ledger's directory, created
 * exclusively (`wx`) before anything is sent and replaced by the outcome afterwards:
 *
 * - no file: the work runs;
 * - an outcome: that outcome is returned again and nothing runs;
 * - a claim without an outcome: an earlier attempt stopped midway and may already have sent its
 *   transaction, so nothing runs and the result says so (a person checks the chain, not a retry loop).
 *
 * Exclusive creation holds across processes that share the directory (one data directory), so two
 * workers resuming the same run cannot both send.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStepResult } from '../builtin-agent.ts';

export interface ExecutionLedger {
  /**
   * Runs `work` for `proposalId` at most once, ever. A repeated call returns the first call's outcome
   * (waiting for it if it is still running). `describe` words the result for an interrupted attempt.
   */
  once(
    proposalId: string,
    work: () => Promise<AgentStepResult>,
    describe: InterruptedDescription,
  ): Promise<AgentStepResult>;
}

/** What the model reads when an earlier attempt was interrupted: what may have happened, and where to look. */
export type InterruptedDescription = () => string;

interface LedgerEntry {
  proposalId: string;
  claimedAt: string;
  outcome?: AgentStepResult;
}

/** File names come from a hash, so any proposal id is safe on disk. */
function entryName(proposalId: string): string {
  return `${createHash('sha256').update(proposalId).digest('hex').slice(0, 40)}.json`;
}

/** The entry, or undefined when a crash left the claim file empty or partly written. */
async function readEntry(path: string): Promise<LedgerEntry | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LedgerEntry;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

async function record(path: string, entry: LedgerEntry): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(entry));
  await rename(`${path}.tmp`, path);
}

export function createFileExecutionLedger(directory: string): ExecutionLedger {
  const running = new Map<string, Promise<AgentStepResult>>();

  async function claim(path: string, entry: LedgerEntry): Promise<boolean> {
    await mkdir(directory, { recursive: true });
    let handle;
    try {
      handle = await open(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      await handle.writeFile(JSON.stringify(entry));
      // The claim must be on disk before the transaction can leave.
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  }

  async function run(
    proposalId: string,
    work: () => Promise<AgentStepResult>,
    describe: InterruptedDescription,
  ): Promise<AgentStepResult> {
    const path = join(directory, entryName(proposalId));
    const claimedAt = new Date().toISOString();
    if (!(await claim(path, { proposalId, claimedAt }))) {
      const entry = await readEntry(path);
      return (
        entry?.outcome ?? {
          kind: 'failed',
          output: describe(),
          data: { status: 'interrupted', claimed_at: entry?.claimedAt ?? null },
        }
      );
    }
    let outcome: AgentStepResult;
    try {
      outcome = await work();
    } catch (error) {
      // Recorded so that a repeat reports this failure instead of trying again blind.
      await record(path, {
        proposalId,
        claimedAt,
        outcome: { kind: 'failed', output: `The action failed: ${(error as Error).message}` },
      });
      throw error;
    }
    await record(path, { proposalId, claimedAt, outcome });
    return outcome;
  }

  return {
    once(proposalId, work, describe) {
      const existing = running.get(proposalId);
      if (existing) return existing;
      const started = run(proposalId, work, describe).finally(() => running.delete(proposalId));
      running.set(proposalId, started);
      return started;
    },
  };
}

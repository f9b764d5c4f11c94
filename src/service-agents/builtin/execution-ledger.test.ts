import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStepResult } from '../builtin-agent.ts';
import { createFileExecutionLedger } from './execution-ledger.ts';

const interrupted = () => 'interrupted: check the chain';

function counted(outcome: AgentStepResult) {
  const work = async () => {
    work.calls++;
    return outcome;
  };
  work.calls = 0;
  return work;
}

describe('file execution ledger', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-ledger-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('runs an action once and answers a repeat with the recorded outcome, even from a new process', async () => {
    const work = counted({
      kind: 'answer',
      output: 'deployed at 0xabc',
      data: { address: '0xabc' },
    });
    const first = await createFileExecutionLedger(directory).once('prop_1', work, interrupted);
    const again = await createFileExecutionLedger(directory).once('prop_1', work, interrupted);
    expect(first).toEqual({
      kind: 'answer',
      output: 'deployed at 0xabc',
      data: { address: '0xabc' },
    });
    expect(again).toEqual(first);
    expect(work.calls).toBe(1);
    expect(await createFileExecutionLedger(directory).once('prop_2', work, interrupted)).toEqual(
      first,
    );
    expect(work.calls).toBe(2);
  });

  it('shares one run between concurrent calls for the same proposal', async () => {
    const ledger = createFileExecutionLedger(directory);
    const work = counted({ kind: 'answer', output: 'swapped' });
    const outcomes = await Promise.all([
      ledger.once('prop_1', work, interrupted),
      ledger.once('prop_1', work, interrupted),
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['answer', 'answer']);
    expect(work.calls).toBe(1);
  });

  it('never repeats an attempt that another process started and did not finish', async () => {
    const stuck = createFileExecutionLedger(directory);
    let started!: () => void;
    const claimed = new Promise<void>((resolve) => (started = resolve));
    void stuck.once(
      'prop_1',
      () => (started(), new Promise<AgentStepResult>(() => {})),
      interrupted,
    );
    await claimed;
    const work = counted({ kind: 'answer', output: 'sent again' });
    const outcome = await createFileExecutionLedger(directory).once('prop_1', work, interrupted);
    expect(outcome).toMatchObject({
      kind: 'failed',
      output: 'interrupted: check the chain',
      data: { status: 'interrupted' },
    });
    expect(work.calls).toBe(0);
  });

  it('records a thrown failure, so a repeat reports it instead of trying again', async () => {
    const ledger = createFileExecutionLedger(directory);
    await expect(
      ledger.once('prop_1', () => Promise.reject(new Error('chain unreachable')), interrupted),
    ).rejects.toThrow('chain unreachable');
    const work = counted({ kind: 'answer', output: 'sent' });
    expect(await ledger.once('prop_1', work, interrupted)).toEqual({
      kind: 'failed',
      output: 'The action failed: chain unreachable',
    });
    expect(work.calls).toBe(0);
  });
});

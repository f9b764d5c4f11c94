import { describe, expect, it } from 'vitest';
import { RUN_STATUSES, type RunStatus } from './run.ts';
import {
  ACTIVE_RUN_STATUSES,
  assertTransition,
  canTransition,
  InvalidTransitionError,
  isTerminal,
} from './run-status.ts';

const ALL: readonly RunStatus[] = RUN_STATUSES;

describe('the run status machine', () => {
  it('ends in cancelled, failed, completed, incomplete and expired, and nowhere else', () => {
    expect(ALL.filter(isTerminal)).toEqual([
      'cancelled',
      'failed',
      'completed',
      'incomplete',
      'expired',
    ]);
    for (const from of ALL.filter(isTerminal))
      for (const to of ALL) expect(canTransition(from, to)).toBe(false);
  });

  it('counts as active exactly the statuses that are not terminal (one active run per thread)', () => {
    expect([...ACTIVE_RUN_STATUSES].sort()).toEqual(
      ALL.filter((status) => !isTerminal(status)).sort(),
    );
  });

  it('allows the paths of the diagram in docs/architecture.md', () => {
    const paths: Array<[RunStatus, RunStatus]> = [
      ['queued', 'in_progress'],
      ['queued', 'cancelled'],
      ['queued', 'expired'],
      ['in_progress', 'requires_action'],
      ['in_progress', 'completed'],
      ['in_progress', 'incomplete'],
      ['in_progress', 'failed'],
      ['in_progress', 'cancelling'],
      ['requires_action', 'queued'],
      ['requires_action', 'expired'],
      ['requires_action', 'cancelled'],
      ['cancelling', 'cancelled'],
    ];
    for (const [from, to] of paths) expect(canTransition(from, to), `${from} → ${to}`).toBe(true);
  });

  it('refuses a run going back to work once waiting or cancelling, and skipping the queue', () => {
    const refused: Array<[RunStatus, RunStatus]> = [
      ['queued', 'requires_action'],
      ['queued', 'completed'],
      ['queued', 'cancelling'],
      ['requires_action', 'in_progress'],
      ['requires_action', 'completed'],
      ['cancelling', 'in_progress'],
      ['cancelling', 'queued'],
      ['in_progress', 'expired'],
      ['in_progress', 'in_progress'],
    ];
    for (const [from, to] of refused)
      expect(canTransition(from, to), `${from} → ${to}`).toBe(false);
  });

  it('throws an InvalidTransitionError naming both statuses', () => {
    expect(() => assertTransition('in_progress', 'requires_action')).not.toThrow();
    let thrown: unknown;
    try {
      assertTransition('completed', 'in_progress');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTransitionError);
    expect(thrown).toMatchObject({ from: 'completed', to: 'in_progress' });
    expect((thrown as Error).message).toBe("A run cannot go from 'completed' to 'in_progress'.");
  });
});

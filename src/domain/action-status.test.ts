import { describe, expect, it } from 'vitest';
import {
  assertActionTransition,
  canTransitionAction,
  InvalidActionTransitionError,
  isTerminalAction,
  RESERVING_ACTION_STATUSES,
} from './action-status.ts';

describe('the action status machine', () => {
  it('starts an action only as pending, approved or denied', () => {
    expect(canTransitionAction(null, 'pending_approval')).toBe(true);
    expect(canTransitionAction(null, 'approved')).toBe(true);
    expect(canTransitionAction(null, 'denied')).toBe(true);
    expect(() => assertActionTransition(null, 'executed')).toThrow(InvalidActionTransitionError);
  });

  it('executes only what was approved and claimed, and never moves a finished action', () => {
    expect(canTransitionAction('pending_approval', 'executing')).toBe(false);
    expect(canTransitionAction('approved', 'executing')).toBe(true);
    expect(canTransitionAction('approved', 'denied')).toBe(true);
    expect(canTransitionAction('executing', 'executed')).toBe(true);
    expect(() => assertActionTransition('declined', 'approved')).toThrow(
      "An action cannot go from 'declined' to 'approved'.",
    );
    for (const status of [
      'denied',
      'declined',
      'expired',
      'executed',
      'failed',
      'superseded',
    ] as const)
      expect(isTerminalAction(status)).toBe(true);
  });

  it('lets an interrupted execution await review, ended only with what really happened', () => {
    expect(canTransitionAction('executing', 'needs_review')).toBe(true);
    expect(canTransitionAction('needs_review', 'executed')).toBe(true);
    expect(canTransitionAction('needs_review', 'failed')).toBe(true);
    expect(canTransitionAction('needs_review', 'executing')).toBe(false);
    expect(canTransitionAction('approved', 'needs_review')).toBe(false);
  });

  it('reserves spend exactly while an action is open', () => {
    expect([...RESERVING_ACTION_STATUSES].sort()).toEqual(
      ['approved', 'executing', 'needs_review', 'pending_approval'].sort(),
    );
    for (const status of RESERVING_ACTION_STATUSES) expect(isTerminalAction(status)).toBe(false);
  });
});

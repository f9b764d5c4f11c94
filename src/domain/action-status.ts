/**
 * The status machine of a service-agent action, in one place. Every status write is checked against
 * it and stored as a compare-and-set, with one row per transition in the action's log.
 *
 *   (proposed) ──▶ pending_approval ──▶ approved ──▶ executing ──▶ executed | failed | superseded
 *        │               │                 │
 *        │               ├──▶ declined     ├──▶ denied (policy re-checked before execution)
 *        │               ├──▶ denied       └──▶ expired (the proposal's time ran out)
 *        │               └──▶ expired
 *        ├──▶ approved (the policy allowed it without asking)
 *        └──▶ denied
 *
 * While an action is pending_approval, approved or executing, its value is reserved against the
 * agent's per-period limit; executed actions count as spent; every other status releases it.
 */
import type { ActionStatus } from './service-agent.ts';

/** Statuses a new action may start in. */
export const INITIAL_ACTION_STATUSES: readonly ActionStatus[] = [
  'pending_approval',
  'approved',
  'denied',
];

const TRANSITIONS: Record<ActionStatus, readonly ActionStatus[]> = {
  pending_approval: ['approved', 'declined', 'denied', 'expired'],
  approved: ['executing', 'denied', 'expired'],
  executing: ['executed', 'failed', 'superseded'],
  denied: [],
  declined: [],
  expired: [],
  executed: [],
  failed: [],
  superseded: [],
};

/** Statuses whose value is held against the spending limits until the action ends. */
export const RESERVING_ACTION_STATUSES: readonly ActionStatus[] = [
  'pending_approval',
  'approved',
  'executing',
];

export function isTerminalAction(status: ActionStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export function canTransitionAction(from: ActionStatus | null, to: ActionStatus): boolean {
  return from === null ? INITIAL_ACTION_STATUSES.includes(to) : TRANSITIONS[from].includes(to);
}

export class InvalidActionTransitionError extends Error {
  override name = 'InvalidActionTransitionError';
  constructor(
    readonly from: ActionStatus | null,
    readonly to: ActionStatus,
  ) {
    super(`An action cannot go from '${from ?? '(new)'}' to '${to}'.`);
  }
}

export function assertActionTransition(from: ActionStatus | null, to: ActionStatus): void {
  if (!canTransitionAction(from, to)) throw new InvalidActionTransitionError(from, to);
}

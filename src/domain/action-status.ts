/**
 * The status machine of a service-agent action, in one place. Every status write is checked against
 * it and stored as a compare-and-set, with one row per transition in the action's log.
 *
 *   (proposed) ──▶ pending_approval ──▶ approved ──▶ executing ──▶ executed | failed | superseded
 *        │               │                 │              │  ▲
 *        │               ├──▶ declined     ├──▶ denied    │  └─ taken over (its lease lapsed; an agent
 *        │               ├──▶ denied       └──▶ expired   │     that dedupes runs again, same key)
 *        │               └──▶ expired                     └──▶ needs_review ──▶ executed | failed
 *        ├──▶ approved (the policy allowed it without asking)
 *        └──▶ denied
 *
 * `executing` is held under a lease (see ActionLease). When the holder stops renewing it (its process
 * crashed), an agent that dedupes on the proposal id is executed again by the one party that takes the
 * lease over; any other agent's action becomes `needs_review`: it may have paid, so nothing retries it.
 * A `needs_review` action is ended by the attempt presumed dead (with what really happened), or by a
 * person's resolution after checking with the provider (`resolve-action.ts`), whichever writes first.
 *
 * While an action is pending_approval, approved, executing or needs_review, its value is reserved
 * against the agent's per-period limit; executed actions count as spent; every other status releases it.
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
  executing: ['executed', 'failed', 'superseded', 'needs_review'],
  needs_review: ['executed', 'failed'],
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
  'needs_review',
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

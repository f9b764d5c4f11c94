/**
 * The run status machine, in one place. Every status write is checked against it.
 *
 *   queued ──▶ in_progress ──▶ completed | incomplete | failed
 *     │            │  ▲
 *     │            ▼  │ (tool outputs submitted → queued)
 *     │      requires_action ──▶ expired (not answered in time)
 *     │            │
 *     ▼            ▼
 *   cancelled ◀── cancelling ◀── (cancel while in_progress)
 *   expired (queued too long)
 */
import type { RunStatus } from './run.ts';

const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['in_progress', 'cancelled', 'expired', 'failed'],
  in_progress: [
    'requires_action',
    'queued',
    'cancelling',
    'completed',
    'incomplete',
    'failed',
    'cancelled',
  ],
  requires_action: ['queued', 'cancelled', 'expired', 'failed'],
  cancelling: ['cancelled', 'failed', 'completed', 'incomplete'],
  cancelled: [],
  failed: [],
  completed: [],
  incomplete: [],
  expired: [],
};

/**
 * The statuses of a run that holds its thread: the one list every check reads (the store's "one
 * active run per thread" and the message writes it blocks). Migration 0002's partial unique index
 * spells the same four; changing this list needs a migration that rebuilds that index.
 */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'in_progress',
  'requires_action',
  'cancelling',
];

export function isTerminal(status: RunStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError';
  constructor(
    readonly from: RunStatus,
    readonly to: RunStatus,
  ) {
    super(`A run cannot go from '${from}' to '${to}'.`);
  }
}

export function assertTransition(from: RunStatus, to: RunStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

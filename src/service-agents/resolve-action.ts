/**
 * A person's resolution of an action in `needs_review`: an attempt stopped midway and its agent
 * cannot tell whether it went through, so someone checked with the provider. `succeeded` makes it
 * `executed` (its value counts as spent); `failed` makes it `failed` (its reservation is released).
 * One compare-and-set on `needs_review`: of two resolutions at once, or a resolution and the late
 * result of the attempt presumed dead, exactly one is recorded. The lease the attempt held ends with
 * it, so that attempt writes nothing afterwards.
 */
import { nowSeconds } from '../domain/clock.ts';
import { ConflictError, InvalidRequestError, NotFoundError } from '../domain/errors.ts';
import type { ServiceAgentAction } from '../domain/service-agent.ts';
import type { Store } from '../storage/store.ts';

export interface ActionResolution {
  outcome: 'succeeded' | 'failed';
  note?: string | undefined;
}

/** Resolves the action `id`; returns it as stored. Throws 404, 400 (not in review) or 409 (lost). */
export async function resolveAction(
  store: Store,
  projectId: string,
  id: string,
  resolution: ActionResolution,
  keyId: string | null,
): Promise<ServiceAgentAction> {
  const found = await store.serviceAgentActions.find(projectId, id);
  if (!found) throw NotFoundError.object('service agent action', id, 'action_id');
  const { action } = found;
  if (action.status !== 'needs_review')
    throw new InvalidRequestError(
      `Action ${id} is ${action.status}; only an action in needs_review can be resolved.`,
      'action_id',
    );
  const now = nowSeconds();
  const succeeded = resolution.outcome === 'succeeded';
  const note = resolution.note ?? null;
  const resolved: ServiceAgentAction = {
    ...action,
    status: succeeded ? 'executed' : 'failed',
    value_usd: succeeded ? action.value_usd : 0,
    result: {
      ...action.result,
      resolution: { outcome: resolution.outcome, note, key_id: keyId, resolved_at: now },
    },
    updated_at: now,
  };
  const reason = succeeded
    ? 'A person checked with the provider: it went through; its value counts as spent.'
    : 'A person checked with the provider: it did not go through; its reservation was released.';
  const moved = await store.serviceAgentActions.compareAndSet(
    projectId,
    resolved,
    'needs_review',
    { decided_by: 'person', key_id: keyId, reason: note ? `${reason} ${note}` : reason },
    { next: null },
  );
  if (!moved)
    throw new ConflictError(
      `Action ${id} was resolved or ended by another request first; nothing was changed.`,
    );
  return resolved;
}

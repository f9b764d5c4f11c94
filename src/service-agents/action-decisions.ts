/**
 * The policy's decisions on an action, each made atomically with what it decides. A new proposal is
 * evaluated and stored in one transaction that holds the agent's lock, so its value is reserved before
 * any other proposal of the agent can read the totals: concurrent runs, on one node or many, cannot
 * together exceed a per-period limit. The policy is evaluated again, under the same lock and with the
 * current limits, allowlists and spend, when a person approves and once more just before execution.
 */
import { nowSeconds } from '../domain/clock.ts';
import { ACTIVE_RUN_STATUSES } from '../domain/run-status.ts';
import type { RunStatus } from '../domain/run.ts';
import type {
  ActionLease,
  PolicyDecision,
  Proposal,
  ServiceAgentAction,
  TransitionNote,
} from '../domain/service-agent.ts';
import type { Store } from '../storage/store.ts';
import { evaluatePolicy, PERIOD_SECONDS } from './evaluate-policy.ts';

const GONE: PolicyDecision = {
  outcome: 'deny',
  rules: [
    { rule: 'service_agent', outcome: 'deny', reason: 'The service agent no longer exists.' },
  ],
};

export const denyReasons = (decision: PolicyDecision) =>
  decision.rules
    .filter((rule) => rule.outcome === 'deny')
    .map((rule) => rule.reason)
    .join(' ');

/**
 * Pending actions that can no longer be approved (their proposal expired, or their run ended) become
 * `expired`, releasing what they reserved. Runs inside the caller's locked transaction.
 */
async function releaseStale(store: Store, projectId: string, serviceAgentId: string) {
  const now = nowSeconds();
  for (const { action, runStatus } of await store.serviceAgentActions.listPending(
    projectId,
    serviceAgentId,
  )) {
    const runOver =
      action.run_id !== null &&
      (runStatus === null || !ACTIVE_RUN_STATUSES.includes(runStatus as RunStatus));
    if (!runOver && action.proposal.expires_at > now) continue;
    await store.serviceAgentActions.compareAndSet(
      projectId,
      { ...action, status: 'expired', value_usd: 0, updated_at: now },
      'pending_approval',
      {
        decided_by: 'system',
        reason: runOver
          ? 'The run ended before anyone answered; the reservation was released.'
          : 'The proposal expired before anyone answered; the reservation was released.',
      },
    );
  }
}

/**
 * Decides a new proposal and stores it as an action in one transaction under the agent's lock: pending
 * and approved actions hold their value from then on. Returns the stored action.
 */
export function decideProposal(
  store: Store,
  projectId: string,
  serviceAgentId: string,
  build: (decision: PolicyDecision) => ServiceAgentAction,
  state: Record<string, unknown> | undefined,
  proposal: Proposal,
): Promise<ServiceAgentAction> {
  return store.transaction(async (transaction) => {
    const agent = await transaction.serviceAgents.findForUpdate(projectId, serviceAgentId);
    let decision = GONE;
    if (agent) {
      await releaseStale(transaction, projectId, serviceAgentId);
      const committed = await transaction.serviceAgentActions.committed(projectId, agent.id, {
        sinceSeconds: nowSeconds() - PERIOD_SECONDS[agent.policy.period ?? 'day'],
        countPending: true,
      });
      decision = evaluatePolicy(agent.policy, proposal, committed);
    }
    const action = build(decision);
    const note: TransitionNote = {
      decided_by: 'policy',
      reason: decision.rules
        .filter((rule) => rule.outcome === decision.outcome)
        .map((rule) => rule.reason)
        .join(' '),
    };
    await transaction.serviceAgentActions.insert(projectId, action, state, note);
    return action;
  });
}

export type Recheck =
  | { kind: 'moved'; action: ServiceAgentAction }
  | { kind: 'denied'; action: ServiceAgentAction; reasons: string }
  | { kind: 'expired'; action: ServiceAgentAction }
  /** Another writer moved the action first; nothing was written. */
  | { kind: 'lost' };

/**
 * Moves an action forward (a person's approval, or the claim before execution, which takes `lease`)
 * only if the current policy still allows it beside the agent's spend and the other approved or
 * executing actions; else records the denial (or expiry) with its reason. One transaction under the
 * agent's lock.
 */
export function recheckAndMove(
  store: Store,
  projectId: string,
  action: ServiceAgentAction,
  to: 'approved' | 'executing',
  changes: Partial<ServiceAgentAction>,
  note: TransitionNote,
  lease?: ActionLease,
): Promise<Recheck> {
  return store.transaction(async (transaction): Promise<Recheck> => {
    const agent = await transaction.serviceAgents.findForUpdate(projectId, action.service_agent_id);
    const now = nowSeconds();
    const base = { ...action, ...changes, updated_at: now };
    const write = async (next: ServiceAgentAction, written: TransitionNote) =>
      transaction.serviceAgentActions.compareAndSet(projectId, next, action.status, written);

    if (action.proposal.expires_at <= now) {
      const expired: ServiceAgentAction = { ...base, status: 'expired', value_usd: 0 };
      const reason = 'The proposal expired before it could be carried out.';
      return (await write(expired, { ...note, decided_by: 'system', reason }))
        ? { kind: 'expired', action: expired }
        : { kind: 'lost' };
    }
    let decision = GONE;
    if (agent) {
      const committed = await transaction.serviceAgentActions.committed(projectId, agent.id, {
        sinceSeconds: now - PERIOD_SECONDS[agent.policy.period ?? 'day'],
        countPending: false,
        excludeActionId: action.id,
      });
      decision = evaluatePolicy(agent.policy, action.proposal, committed);
      // An action nobody approved may not go ahead when the policy now wants a person.
      if (decision.outcome === 'ask' && !base.approval?.approved)
        decision = {
          outcome: 'deny',
          rules: [
            ...decision.rules,
            {
              rule: 'approval',
              outcome: 'deny',
              reason: 'The policy now asks a person first, and nobody approved this action.',
            },
          ],
        };
    }
    if (decision.outcome === 'deny') {
      const reasons = denyReasons(decision);
      const denied: ServiceAgentAction = { ...base, status: 'denied', decision, value_usd: 0 };
      return (await write(denied, { ...note, decided_by: 'policy', reason: reasons }))
        ? { kind: 'denied', action: denied, reasons }
        : { kind: 'lost' };
    }
    const moved: ServiceAgentAction = { ...base, status: to, decision };
    const claimed = await transaction.serviceAgentActions.compareAndSet(
      projectId,
      moved,
      action.status,
      note,
      lease ? { next: lease } : {},
    );
    return claimed ? { kind: 'moved', action: moved } : { kind: 'lost' };
  });
}

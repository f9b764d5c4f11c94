/**
 * The policy engine: every rule of an agent's policy answers allow, ask or deny for a proposal, with
 * its reason. Any deny denies; otherwise any ask asks; otherwise the action runs. Rules read only the
 * stored policy and the proposal's structured fields, never text from a model or a remote agent, so
 * nothing an agent or merchant writes can raise a limit or approve an action.
 */
import { COUNTERPARTY_KINDS } from '../domain/counterparty.ts';
import type {
  PolicyDecision,
  Proposal,
  RuleOutcome,
  ServiceAgentPolicy,
} from '../domain/service-agent.ts';

export const PERIOD_SECONDS = { day: 86_400, week: 7 * 86_400, month: 30 * 86_400 } as const;

function allowlist(
  rule: string,
  list: string[] | null | undefined,
  value: string | null,
  label: string,
) {
  if (!list) return undefined;
  if (value === null)
    return {
      rule,
      outcome: 'deny' as RuleOutcome,
      reason: `The action names no ${label}, and this agent only allows listed ones.`,
    };
  const allowed = list.some((entry) => entry.toLowerCase() === value.toLowerCase());
  return allowed
    ? { rule, outcome: 'allow' as RuleOutcome, reason: `${label} '${value}' is allowlisted.` }
    : {
        rule,
        outcome: 'deny' as RuleOutcome,
        reason: `${label} '${value}' is not on this agent's allowlist (${list.join(', ')}).`,
      };
}

const usd = (value: number) => `$${value.toFixed(2)}`;

/**
 * Decides a proposal. `spentInPeriod` is what the agent's executed actions moved in the current period
 * plus what its open actions reserve (see `SpendingQuery`).
 */
export function evaluatePolicy(
  policy: ServiceAgentPolicy,
  proposal: Proposal,
  spentInPeriod: number,
): PolicyDecision {
  const rules: PolicyDecision['rules'] = [];
  const value = proposal.value_usd;

  if (policy.max_per_action_usd != null) {
    rules.push(
      value > policy.max_per_action_usd
        ? {
            rule: 'max_per_action_usd',
            outcome: 'deny',
            reason: `${usd(value)} is over the per-action limit of ${usd(policy.max_per_action_usd)}.`,
          }
        : {
            rule: 'max_per_action_usd',
            outcome: 'allow',
            reason: `${usd(value)} is within the per-action limit of ${usd(policy.max_per_action_usd)}.`,
          },
    );
  }
  if (policy.max_per_period_usd != null) {
    const period = policy.period ?? 'day';
    const total = spentInPeriod + value;
    rules.push(
      // Cents summed as floats drift (0.1 + 0.2); a limit met to the nano-dollar is met.
      total > policy.max_per_period_usd + 1e-9
        ? {
            rule: 'max_per_period_usd',
            outcome: 'deny',
            reason: `${usd(spentInPeriod)} already spent or reserved this ${period}; ${usd(value)} more would exceed the limit of ${usd(policy.max_per_period_usd)}.`,
          }
        : {
            rule: 'max_per_period_usd',
            outcome: 'allow',
            reason: `${usd(total)} of ${usd(policy.max_per_period_usd)} this ${period}.`,
          },
    );
  }
  for (const { allowlist: rule, field } of COUNTERPARTY_KINDS) {
    const check = allowlist(rule, policy[rule], proposal[field], field);
    if (check) rules.push(check);
  }
  if (policy.max_slippage_bps != null && proposal.slippage_bps !== null) {
    rules.push(
      proposal.slippage_bps > policy.max_slippage_bps
        ? {
            rule: 'max_slippage_bps',
            outcome: 'deny',
            reason: `Slippage of ${proposal.slippage_bps} bps is over the limit of ${policy.max_slippage_bps} bps.`,
          }
        : {
            rule: 'max_slippage_bps',
            outcome: 'allow',
            reason: `Slippage of ${proposal.slippage_bps} bps is within ${policy.max_slippage_bps} bps.`,
          },
    );
  }
  if (policy.always_ask) {
    rules.push({
      rule: 'always_ask',
      outcome: 'ask',
      reason: 'This agent asks a person before every action.',
    });
  } else {
    const threshold = policy.auto_approve_below_usd ?? 0;
    rules.push(
      value < threshold
        ? {
            rule: 'auto_approve_below_usd',
            outcome: 'allow',
            reason: `${usd(value)} is under the auto-approve threshold of ${usd(threshold)}.`,
          }
        : {
            rule: 'auto_approve_below_usd',
            outcome: 'ask',
            reason: `${usd(value)} is at or over the auto-approve threshold of ${usd(threshold)}: a person decides.`,
          },
    );
  }

  const outcome: RuleOutcome = rules.some((rule) => rule.outcome === 'deny')
    ? 'deny'
    : rules.some((rule) => rule.outcome === 'ask')
      ? 'ask'
      : 'allow';
  return { outcome, rules };
}

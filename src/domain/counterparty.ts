/**
 * The counterparties an action can have: who or what it pays, calls or trades. Each kind is a field of
 * a proposal (`merchant`), a policy allowlist (`allowed_merchants`) and a line of the approval card a
 * person sees. This list is the one place a kind is declared; the policy evaluation, the API's policy
 * schema and the approval card are derived from it, so a new kind cannot reach one and miss another.
 */
import type { Proposal, ServiceAgentPolicy } from './service-agent.ts';

export interface CounterpartyKind {
  /** The proposal's field, shown on the approval card. */
  field: 'asset' | 'contract' | 'merchant' | 'host';
  /** The policy's allowlist for it: when set, anything else is denied. */
  allowlist: 'allowed_assets' | 'allowed_contracts' | 'allowed_merchants' | 'allowed_hosts';
  /** The longest value an allowlist entry may have. */
  maxLength: number;
}

export const COUNTERPARTY_KINDS = [
  { field: 'asset', allowlist: 'allowed_assets', maxLength: 128 },
  { field: 'contract', allowlist: 'allowed_contracts', maxLength: 128 },
  { field: 'merchant', allowlist: 'allowed_merchants', maxLength: 256 },
  { field: 'host', allowlist: 'allowed_hosts', maxLength: 256 },
] as const satisfies readonly CounterpartyKind[];

/** The most entries one allowlist may have. */
export const MAX_ALLOWLIST_ENTRIES = 200;

// Every kind is a field of the proposal and an allowlist of the policy (checked by the compiler).
/** `asset`, `contract`, `merchant` or `host`. */
export type CounterpartyField = (typeof COUNTERPARTY_KINDS)[number]['field'];
type Fields = CounterpartyField;
type Allowlists = (typeof COUNTERPARTY_KINDS)[number]['allowlist'];
const proposalHasEveryKind: Pick<Proposal, Fields> extends Record<Fields, string | null>
  ? true
  : never = true;
const policyHasEveryKind: Pick<ServiceAgentPolicy, Allowlists> extends Partial<
  Record<Allowlists, string[] | null>
>
  ? true
  : never = true;
void proposalHasEveryKind;
void policyHasEveryKind;

/** Each kind's value on a proposal: null where the draft names none. */
export function counterpartiesOf(
  draft: Partial<Record<CounterpartyField, string>>,
): Record<CounterpartyField, string | null> {
  return Object.fromEntries(
    COUNTERPARTY_KINDS.map(({ field }) => [field, draft[field] ?? null]),
  ) as Record<CounterpartyField, string | null>;
}

/** The counterparties a proposal names (not null), as a draft spells them. */
export function namedCounterparties(
  proposal: Pick<Proposal, CounterpartyField>,
): Partial<Record<CounterpartyField, string>> {
  const named: Partial<Record<CounterpartyField, string>> = {};
  for (const { field } of COUNTERPARTY_KINDS) {
    const value = proposal[field];
    if (value !== null) named[field] = value;
  }
  return named;
}

/**
 * The proposal's terms a person decides on besides its kind, summary and value: each counterparty it
 * names, and the slippage a swap accepts. Absent terms are left out.
 */
export function approvalTerms(
  proposal: Pick<Proposal, CounterpartyField | 'slippage_bps'>,
): Partial<Record<CounterpartyField, string> & { slippage_bps: number }> {
  const named = Object.entries(namedCounterparties(proposal)).filter(([, value]) => value !== '');
  return {
    ...Object.fromEntries(named),
    ...(proposal.slippage_bps !== null ? { slippage_bps: proposal.slippage_bps } : {}),
  };
}

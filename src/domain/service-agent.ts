/**
 * Service agents: specialised agents an assistant delegates a task to (Concierge's extension of the
 * Assistants API), the spending policy they run under, and the audit log of what they did.
 */
import type { Metadata } from './assistant.ts';

export type ServiceAgentKind = 'builtin' | 'assistant' | 'a2a';

/**
 * Rules for actions with effects outside Concierge. Amounts are US dollars. Unset rules do not apply;
 * an action that no rule decides is allowed only up to `auto_approve_below_usd`, else a person is asked.
 */
export interface ServiceAgentPolicy {
  /** Largest value one action may move; above it the action is denied. */
  max_per_action_usd?: number | null;
  /**
   * Largest total per period (this agent, this project) of executed actions plus those still reserved
   * (pending approval, approved, executing); above it, denied.
   */
  max_per_period_usd?: number | null;
  period?: 'day' | 'week' | 'month';
  /** Actions worth less than this run without asking; at or above it, a person approves. Default 0 (always ask). */
  auto_approve_below_usd?: number | null;
  /** When set, only these values are allowed (case-insensitive); anything else is denied. */
  allowed_assets?: string[] | null;
  allowed_contracts?: string[] | null;
  allowed_merchants?: string[] | null;
  allowed_hosts?: string[] | null;
  /** Largest slippage a swap may accept, in basis points. */
  max_slippage_bps?: number | null;
  /** Ask a person for every action, whatever its value. */
  always_ask?: boolean;
}

export interface ServiceAgent {
  id: string;
  object: 'service_agent';
  created_at: number;
  /** Unique in the project; the tool name the model sees. */
  name: string;
  description: string;
  kind: ServiceAgentKind;
  /** JSON Schema of the task input. */
  input_schema: Record<string, unknown>;
  policy: ServiceAgentPolicy;
  metadata: Metadata;
  /** kind `builtin`: which built-in agent. */
  builtin: string | null;
  /** kind `assistant`: the assistant that acts as the agent. */
  assistant_id: string | null;
  /** kind `a2a`: the remote agent card URL. */
  url: string | null;
}

export type RuleOutcome = 'allow' | 'ask' | 'deny';

export interface PolicyDecision {
  outcome: RuleOutcome;
  rules: Array<{ rule: string; outcome: RuleOutcome; reason: string }>;
}

/** What an agent proposes to do, as a person and the policy see it. */
export interface Proposal {
  id: string;
  /** `payment`, `purchase`, `transaction`, `swap`, `deployment`, … */
  kind: string;
  summary: string;
  value_usd: number;
  asset: string | null;
  contract: string | null;
  merchant: string | null;
  host: string | null;
  slippage_bps: number | null;
  /** Unix seconds after which the proposal can no longer be executed. */
  expires_at: number;
  details: Record<string, unknown>;
}

export type ActionStatus =
  | 'pending_approval'
  | 'approved'
  | 'executing'
  | 'denied'
  | 'declined'
  | 'expired'
  | 'executed'
  | 'failed'
  | 'superseded'
  | 'needs_review';

/**
 * Who holds an `executing` action and until when: the claim that executes it (a node and a claim id)
 * renews it by heartbeat; once it lapses, exactly one other party may take the action over.
 */
export interface ActionLease {
  holder: string;
  /** Unix time in milliseconds after which the holder counts as gone. */
  expires_at_ms: number;
}

/** One proposal and everything that happened to it: the audit log entry. */
export interface ServiceAgentAction {
  id: string;
  object: 'service_agent.action';
  created_at: number;
  updated_at: number;
  service_agent_id: string;
  run_id: string | null;
  thread_id: string | null;
  tool_call_id: string | null;
  status: ActionStatus;
  proposal: Proposal;
  decision: PolicyDecision;
  /** The person's answer, when one was asked; `key_id` is the project API key that answered. */
  approval: {
    approved: boolean;
    reason: string | null;
    decided_at: number;
    key_id?: string | null;
  } | null;
  /** What execution returned (transaction hash, order, receipt), or the failure. */
  result: Record<string, unknown> | null;
  /** Value reserved against the spending limits while the action is open, and spent once executed. */
  value_usd: number;
}

/** Who made a status change: the policy engine, a person (an approval answer), or the system. */
export type ActionDecider = 'policy' | 'person' | 'system';

/** One status change of an action, as the audit log keeps it (never overwritten). */
export interface ActionTransition {
  object: 'service_agent.action.transition';
  /** Null for the action's first status. */
  from: ActionStatus | null;
  to: ActionStatus;
  at: number;
  decided_by: ActionDecider;
  /** The project the decision was made in. */
  project_id: string;
  /** The API key that made the request behind a person's decision (null for the admin key or dev mode). */
  key_id: string | null;
  reason: string | null;
}

/** A transition before it is stored: the repository adds the project and the statuses. */
export type TransitionNote = Pick<ActionTransition, 'decided_by' | 'reason'> & {
  key_id?: string | null;
};

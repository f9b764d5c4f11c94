/**
 * The port of built-in service agents (smart contracts, swaps, purchasing, …). An agent never acts on
 * the world in `prepare`: there it reads, quotes and simulates, and either answers or proposes an
 * action. The framework checks a proposal against the agent's policy, asks a person when the policy
 * says so, and only then calls `execute`, once per proposal id. Keys and other secrets stay inside the
 * agent's own dependencies; nothing here reaches the model or a third party.
 */

export interface AgentContext {
  projectId: string;
  serviceAgentId: string;
  /** The run and thread of the call; null for a call made outside a run (over MCP). */
  runId: string | null;
  threadId: string | null;
  signal: AbortSignal;
  /** Streams a line of progress into the run step (a step delta). */
  progress(text: string): void;
}

/** A file the agent returns to the user (source code, an ABI, a receipt), stored as an `assistants_output` file. */
export interface AgentFile {
  name: string;
  content: string | Uint8Array;
  mimeType: string;
}

/** What an agent proposes; the framework assigns the id and keeps `state` private. */
export interface ProposalDraft {
  kind: string;
  /** One line a person can approve or decline. */
  summary: string;
  /** Value at stake in US dollars, for spending limits (0 when nothing of value moves). */
  valueUsd: number;
  asset?: string;
  contract?: string;
  merchant?: string;
  host?: string;
  slippageBps?: number;
  /** Unix seconds; an expired proposal is never executed. */
  expiresAt: number;
  /** Everything a person needs to judge it (quote, simulation, cost, counterparty), shown as is. */
  details: Record<string, unknown>;
  /** What `execute` needs; stored with the action, never shown to the model or sent anywhere. */
  state?: Record<string, unknown>;
}

export type AgentStepResult =
  /** Done: `output` is what the assistant's model reads. */
  | { kind: 'answer'; output: string; data?: Record<string, unknown>; files?: AgentFile[] }
  /** An action with effects, to be decided by policy (and maybe a person) before `execute`. */
  | { kind: 'proposal'; proposal: ProposalDraft }
  /** The task cannot be done as asked; `output` says why, for the model to relay. */
  | { kind: 'failed'; output: string; data?: Record<string, unknown> };

/** An approved proposal, as `execute` receives it. */
export interface ApprovedProposal {
  id: string;
  draft: ProposalDraft;
}

export interface BuiltinServiceAgent {
  /** The built-in's id (`swap`, `smart_contract`, `purchasing`), used as `builtin` when creating the agent. */
  readonly builtin: string;
  /** Default description and input schema for agents created from this built-in. */
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  /**
   * True when `execute` dedupes on the proposal id where the value moves (an idempotency key the
   * merchant or PSP honours, an on-chain nonce derived from it): called again for a proposal that
   * already paid, it pays nothing more. Only such an agent is executed again when a crash left its
   * action `executing`; any other agent's action becomes `needs_review` instead, since it may have paid.
   */
  readonly dedupesExecution?: boolean;
  /** Reads, quotes, simulates: no effects. */
  prepare(input: Record<string, unknown>, context: AgentContext): Promise<AgentStepResult>;
  /**
   * Carries out an approved proposal, once per proposal id; after a crash mid-execution it is called
   * again with the same id only when `dedupesExecution` is true. Use the proposal id as the
   * idempotency key wherever value moves. May return a new proposal when the terms changed (a new
   * price needs a new decision).
   */
  execute(proposal: ApprovedProposal, context: AgentContext): Promise<AgentStepResult>;
}

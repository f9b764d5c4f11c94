/**
 * What happens to a built-in agent's proposal: it becomes an action in the audit log, the policy
 * decides, and it is executed only when the policy allows it or a person approved it in time. Every
 * status change is a compare-and-set, so an action executes once even across crashes and nodes
 * (after a crash mid-execution the agent is called again with the same proposal id, its idempotency key).
 */
import { nowSeconds } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import { counterpartiesOf, namedCounterparties } from '../domain/counterparty.ts';
import type { Proposal, ServiceAgent, ServiceAgentAction } from '../domain/service-agent.ts';
import type { Store } from '../storage/store.ts';
import type {
  AgentContext,
  AgentFile,
  AgentStepResult,
  BuiltinServiceAgent,
  ProposalDraft,
} from './builtin-agent.ts';
import { evaluatePolicy, PERIOD_SECONDS } from './evaluate-policy.ts';

/** Proposals one call may chain (a price change asks again); more means the agent is looping. */
const MAX_PROPOSALS = 5;

export type FlowOutcome =
  | {
      kind: 'done';
      status: 'completed' | 'failed' | 'denied' | 'declined' | 'expired';
      output: string;
      files?: AgentFile[];
      actionId?: string;
    }
  | { kind: 'ask'; action: ServiceAgentAction };

export interface FlowContext {
  store: Store;
  projectId: string;
  agent: ServiceAgent;
  builtin: BuiltinServiceAgent;
  agentContext: AgentContext;
  toolCallId: string;
}

function toProposal(id: string, draft: ProposalDraft): Proposal {
  return {
    id,
    kind: draft.kind,
    summary: draft.summary,
    value_usd: draft.valueUsd,
    ...counterpartiesOf(draft),
    slippage_bps: draft.slippageBps ?? null,
    expires_at: draft.expiresAt,
    details: draft.details,
  };
}

function draftOf(proposal: Proposal, state: Record<string, unknown> | undefined): ProposalDraft {
  return {
    kind: proposal.kind,
    summary: proposal.summary,
    valueUsd: proposal.value_usd,
    expiresAt: proposal.expires_at,
    details: proposal.details,
    ...namedCounterparties(proposal),
    ...(proposal.slippage_bps !== null ? { slippageBps: proposal.slippage_bps } : {}),
    ...(state ? { state } : {}),
  };
}

async function move(
  context: FlowContext,
  action: ServiceAgentAction,
  changes: Partial<ServiceAgentAction>,
): Promise<ServiceAgentAction | undefined> {
  const next: ServiceAgentAction = { ...action, ...changes, updated_at: nowSeconds() };
  return (await context.store.serviceAgentActions.compareAndSet(
    context.projectId,
    next,
    action.status,
  ))
    ? next
    : undefined;
}

/** Runs an approved (or allowed) action: once, recording what the agent returned. */
async function execute(
  context: FlowContext,
  action: ServiceAgentAction,
  state: Record<string, unknown> | undefined,
): Promise<AgentStepResult> {
  let running = action;
  if (action.status === 'approved') {
    const claimed = await move(context, action, { status: 'executing' });
    if (!claimed)
      return {
        kind: 'failed',
        output: 'This action was already taken up by another attempt; nothing was done twice.',
      };
    running = claimed;
  }
  let result: AgentStepResult;
  try {
    result = await context.builtin.execute(
      { id: action.proposal.id, draft: draftOf(action.proposal, state) },
      context.agentContext,
    );
  } catch (error) {
    await move(context, running, {
      status: 'failed',
      value_usd: 0,
      result: { error: (error as Error).message },
    });
    throw error;
  }
  if (result.kind === 'answer')
    await move(context, running, {
      status: 'executed',
      result: { output: result.output, ...result.data },
    });
  else if (result.kind === 'failed')
    await move(context, running, {
      status: 'failed',
      value_usd: 0,
      result: { output: result.output, ...result.data },
    });
  else
    await move(context, running, {
      status: 'superseded',
      value_usd: 0,
      result: { output: 'The terms changed; a new proposal replaced this one.' },
    });
  return result;
}

/** Decides a new proposal and, when allowed, executes it. */
async function propose(
  context: FlowContext,
  draft: ProposalDraft,
): Promise<{ outcome: FlowOutcome } | { next: AgentStepResult }> {
  const { store, projectId, agent } = context;
  const proposal = toProposal(newId('proposal'), draft);
  const period = agent.policy.period ?? 'day';
  const spent = await store.serviceAgentActions.spentSince(
    projectId,
    agent.id,
    nowSeconds() - PERIOD_SECONDS[period],
  );
  const decision = evaluatePolicy(agent.policy, proposal, spent);
  const now = nowSeconds();
  const action: ServiceAgentAction = {
    id: newId('action'),
    object: 'service_agent.action',
    created_at: now,
    updated_at: now,
    service_agent_id: agent.id,
    run_id: context.agentContext.runId,
    thread_id: context.agentContext.threadId,
    tool_call_id: context.toolCallId,
    status:
      decision.outcome === 'deny'
        ? 'denied'
        : decision.outcome === 'ask'
          ? 'pending_approval'
          : 'approved',
    proposal,
    decision,
    approval: null,
    result: null,
    value_usd: proposal.value_usd,
  };
  await store.serviceAgentActions.insert(projectId, action, draft.state);
  if (decision.outcome === 'deny') {
    const reasons = decision.rules
      .filter((rule) => rule.outcome === 'deny')
      .map((rule) => rule.reason);
    return {
      outcome: {
        kind: 'done',
        status: 'denied',
        actionId: action.id,
        output: `The policy denied "${proposal.summary}", so nothing was done: ${reasons.join(' ')}`,
      },
    };
  }
  if (decision.outcome === 'ask') return { outcome: { kind: 'ask', action } };
  return { next: await execute(context, action, draft.state) };
}

/** Follows an agent's results until it answers, fails, is denied, or needs a person. */
export async function followResult(
  context: FlowContext,
  first: AgentStepResult,
): Promise<FlowOutcome> {
  let result = first;
  for (let proposals = 0; proposals <= MAX_PROPOSALS; proposals++) {
    if (result.kind === 'answer')
      return {
        kind: 'done',
        status: 'completed',
        output: result.output,
        ...(result.files ? { files: result.files } : {}),
      };
    if (result.kind === 'failed') return { kind: 'done', status: 'failed', output: result.output };
    const decided = await propose(context, result.proposal);
    if ('outcome' in decided) return decided.outcome;
    result = decided.next;
  }
  return {
    kind: 'done',
    status: 'failed',
    output: `The agent kept changing its proposal (${MAX_PROPOSALS} times); nothing more was done.`,
  };
}

function parseAnswer(output: string): { approved: boolean; reason: string | null } {
  try {
    const parsed = JSON.parse(output) as { approved?: unknown; reason?: unknown };
    return {
      approved: parsed.approved === true,
      reason: typeof parsed.reason === 'string' ? parsed.reason : null,
    };
  } catch {
    return {
      approved: false,
      reason: 'The answer was not {"approved": true} or {"approved": false}.',
    };
  }
}

/** Continues a call whose action waited for a person, with their answer (the approve_action output). */
export async function resumeWithAnswer(context: FlowContext, answer: string): Promise<FlowOutcome> {
  const found = await context.store.serviceAgentActions.findLatestForToolCall(
    context.projectId,
    context.toolCallId,
  );
  if (!found)
    return {
      kind: 'done',
      status: 'failed',
      output: 'The action this approval was for no longer exists; nothing was done.',
    };
  const { action, state } = found;
  if (action.status === 'executed')
    return {
      kind: 'done',
      status: 'completed',
      output: String(action.result?.['output'] ?? 'Done.'),
    };
  if (action.status === 'executing')
    return followResult(context, await execute(context, action, state));
  if (action.status !== 'pending_approval')
    return {
      kind: 'done',
      status: 'failed',
      output: `The action is ${action.status}; nothing more was done.`,
    };

  const { approved, reason } = parseAnswer(answer);
  const decided = { approved, reason, decided_at: nowSeconds() };
  if (!approved) {
    await move(context, action, { status: 'declined', approval: decided, value_usd: 0 });
    return {
      kind: 'done',
      status: 'declined',
      actionId: action.id,
      output: `The user declined "${action.proposal.summary}"${reason ? ` (${reason})` : ''}; nothing was done.`,
    };
  }
  if (action.proposal.expires_at <= nowSeconds()) {
    await move(context, action, { status: 'expired', approval: decided, value_usd: 0 });
    return {
      kind: 'done',
      status: 'expired',
      actionId: action.id,
      output: `The proposal "${action.proposal.summary}" expired before it was approved; nothing was done. Ask for a fresh quote.`,
    };
  }
  const approvedAction = await move(context, action, { status: 'approved', approval: decided });
  if (!approvedAction)
    return {
      kind: 'done',
      status: 'failed',
      output: 'This approval was already used; nothing was done twice.',
    };
  return followResult(context, await execute(context, approvedAction, state));
}

/**
 * What happens to a built-in agent's proposal: it becomes an action in the audit log, the policy
 * decides, and it is executed only when the policy allows it or a person approved it in time. Every
 * status change is a compare-and-set, so an action executes once even across crashes and nodes
 * (after a crash mid-execution the agent is called again with the same proposal id, its idempotency key).
 */
import { nowSeconds } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import { counterpartiesOf, namedCounterparties } from '../domain/counterparty.ts';
import type {
  Proposal,
  ServiceAgent,
  ServiceAgentAction,
  TransitionNote,
} from '../domain/service-agent.ts';
import type { Store } from '../storage/store.ts';
import type {
  AgentContext,
  AgentFile,
  AgentStepResult,
  BuiltinServiceAgent,
  ProposalDraft,
} from './builtin-agent.ts';
import { decideProposal, denyReasons, recheckAndMove, type Recheck } from './action-decisions.ts';
import { Concierge, GenAi } from '../telemetry/gen-ai-attributes.ts';
import { withSpan } from '../telemetry/tracer.ts';

/** The status an action moves to after the agent's step result of each kind. */
const ACTION_STATUS_AFTER: Record<AgentStepResult['kind'], string> = {
  answer: 'executed',
  failed: 'failed',
  proposal: 'superseded',
};

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
  note: TransitionNote,
): Promise<ServiceAgentAction | undefined> {
  const next: ServiceAgentAction = { ...action, ...changes, updated_at: nowSeconds() };
  return (await context.store.serviceAgentActions.compareAndSet(
    context.projectId,
    next,
    action.status,
    note,
  ))
    ? next
    : undefined;
}

const SYSTEM = (reason: string): TransitionNote => ({ decided_by: 'system', reason });

type Step = { outcome: FlowOutcome } | { next: AgentStepResult };

function refused(
  action: ServiceAgentAction,
  checked: Exclude<Recheck, { kind: 'moved' }>,
  when: string,
): Step {
  const summary = action.proposal.summary;
  if (checked.kind === 'denied')
    return {
      outcome: {
        kind: 'done',
        status: 'denied',
        actionId: action.id,
        output: `The policy denied "${summary}" ${when}, so nothing was done: ${checked.reasons}`,
      },
    };
  if (checked.kind === 'expired')
    return {
      outcome: {
        kind: 'done',
        status: 'expired',
        actionId: action.id,
        output: `The proposal "${summary}" expired before it was carried out; nothing was done. Ask for a fresh quote.`,
      },
    };
  return {
    outcome: {
      kind: 'done',
      status: 'failed',
      actionId: action.id,
      output: 'This action was already taken up by another attempt; nothing was done twice.',
    },
  };
}

/**
 * Runs an approved (or allowed) action once, recording what the agent returned. An `approved` action
 * is claimed first (`executing`), after the policy is checked again with the current spend.
 */
async function execute(
  context: FlowContext,
  action: ServiceAgentAction,
  state: Record<string, unknown> | undefined,
): Promise<Step> {
  let running = action;
  if (action.status === 'approved') {
    const claimed = await recheckAndMove(
      context.store,
      context.projectId,
      action,
      'executing',
      {},
      SYSTEM('Checked against the policy again just before execution.'),
    );
    if (claimed.kind !== 'moved') return refused(action, claimed, 'just before execution');
    running = claimed.action;
  }
  let result: AgentStepResult;
  try {
    result = await withSpan(
      `execute_action ${context.agent.name}`,
      {
        attributes: {
          [GenAi.operationName]: 'execute_action',
          [Concierge.serviceAgentName]: context.agent.name,
          [Concierge.actionId]: action.id,
          [Concierge.actionKind]: action.proposal.kind,
          [Concierge.actionValueUsd]: action.proposal.value_usd,
        },
      },
      async (span) => {
        const stepResult = await context.builtin.execute(
          { id: action.proposal.id, draft: draftOf(action.proposal, state) },
          context.agentContext,
        );
        span.setAttribute(Concierge.actionStatus, ACTION_STATUS_AFTER[stepResult.kind]);
        return stepResult;
      },
    );
  } catch (error) {
    await move(
      context,
      running,
      { status: 'failed', value_usd: 0, result: { error: (error as Error).message } },
      SYSTEM(`The agent failed: ${(error as Error).message}`),
    );
    throw error;
  }
  if (result.kind === 'answer')
    await move(
      context,
      running,
      { status: 'executed', result: { output: result.output, ...result.data } },
      SYSTEM('The agent carried it out.'),
    );
  else if (result.kind === 'failed')
    await move(
      context,
      running,
      { status: 'failed', value_usd: 0, result: { output: result.output, ...result.data } },
      SYSTEM(result.output),
    );
  else
    await move(
      context,
      running,
      {
        status: 'superseded',
        value_usd: 0,
        result: { output: 'The terms changed; a new proposal replaced this one.' },
      },
      SYSTEM('The terms changed; a new proposal replaced this one.'),
    );
  return { next: result };
}

/** Decides a new proposal (reserving its value) and, when allowed, executes it. */
async function propose(context: FlowContext, draft: ProposalDraft): Promise<Step> {
  const { store, projectId, agent } = context;
  const proposal = toProposal(newId('proposal'), draft);
  const now = nowSeconds();
  const action = await decideProposal(
    store,
    projectId,
    agent.id,
    (decision) => ({
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
      value_usd: decision.outcome === 'deny' ? 0 : proposal.value_usd,
    }),
    draft.state,
    proposal,
  );
  if (action.status === 'denied')
    return {
      outcome: {
        kind: 'done',
        status: 'denied',
        actionId: action.id,
        output: `The policy denied "${proposal.summary}", so nothing was done: ${denyReasons(action.decision)}`,
      },
    };
  if (action.status === 'pending_approval') return { outcome: { kind: 'ask', action } };
  return execute(context, action, draft.state);
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

/**
 * Continues a call whose action waited for a person, with their answer (the approve_action output) and
 * the project key that submitted it. An approval is checked against the current policy before it counts.
 */
export async function resumeWithAnswer(
  context: FlowContext,
  answer: string,
  keyId: string | null,
): Promise<FlowOutcome> {
  const runId = context.agentContext.runId;
  const found =
    runId === null
      ? undefined
      : await context.store.serviceAgentActions.findLatestForToolCall(
          context.projectId,
          runId,
          context.toolCallId,
        );
  return answerAction(context, found, answer, keyId);
}

/**
 * Answers a found action that waited for a person (or carries on one whose answer was already given):
 * the action of a run's call, or one proposed outside a run and answered by its id.
 */
export async function answerAction(
  context: FlowContext,
  found: { action: ServiceAgentAction; state: Record<string, unknown> | undefined } | undefined,
  answer: string,
  keyId: string | null,
): Promise<FlowOutcome> {
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
  // Only the request that claimed an action (`approved` -> `executing`) executes it. A run's call is
  // resumed by the run's one owner, so an `executing` action found there was left by a worker that
  // died: it runs again, with its proposal id as the idempotency key. An action outside a run has no
  // such owner: another request may be executing it now, so it is left to that request.
  if (action.status === 'executing' && action.run_id === null)
    return {
      kind: 'done',
      status: 'failed',
      actionId: action.id,
      output: 'This action is being carried out by another request; nothing was done twice.',
    };
  if (action.status === 'executing' || action.status === 'approved')
    return continueWith(context, await execute(context, action, state));
  if (action.status !== 'pending_approval')
    return {
      kind: 'done',
      status: 'failed',
      actionId: action.id,
      output: `The action is ${action.status}; nothing more was done.`,
    };

  const { approved, reason } = parseAnswer(answer);
  const decided = { approved, reason, decided_at: nowSeconds(), key_id: keyId };
  const person: TransitionNote = { decided_by: 'person', key_id: keyId, reason };
  if (!approved) {
    await move(context, action, { status: 'declined', approval: decided, value_usd: 0 }, person);
    return {
      kind: 'done',
      status: 'declined',
      actionId: action.id,
      output: `The user declined "${action.proposal.summary}"${reason ? ` (${reason})` : ''}; nothing was done.`,
    };
  }
  const checked = await recheckAndMove(
    context.store,
    context.projectId,
    action,
    'approved',
    { approval: decided },
    person,
  );
  if (checked.kind === 'lost')
    return {
      kind: 'done',
      status: 'failed',
      actionId: action.id,
      output: 'This approval was already used; nothing was done twice.',
    };
  if (checked.kind !== 'moved')
    return continueWith(context, refused(action, checked, 'when it was approved'));
  return continueWith(context, await execute(context, checked.action, state));
}

function continueWith(context: FlowContext, step: Step): Promise<FlowOutcome> | FlowOutcome {
  return 'outcome' in step ? step.outcome : followResult(context, step.next);
}

/**
 * What happens to a built-in agent's proposal: it becomes an action in the audit log, the policy
 * decides, and it is executed only when the policy allows it or a person approved it in time. Every
 * status change is a compare-and-set, so an action executes once even across crashes and nodes
 * (`execute-action.ts`: the claim's lease, and what recovers an action a crash left `executing`).
 */
import { nowSeconds, sleep } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import { counterpartiesOf } from '../domain/counterparty.ts';
import type { Proposal, TransitionNote } from '../domain/service-agent.ts';
import type { StoredAction } from '../storage/ports/service-agents-port.ts';
import type { AgentStepResult, ProposalDraft } from './builtin-agent.ts';
import { decideProposal, denyReasons, recheckAndMove } from './action-decisions.ts';
import {
  deniedStep,
  execute,
  executingText,
  move,
  needsReviewText,
  recoverExecuting,
  refused,
  type FlowContext,
  type FlowOutcome,
  type Step,
} from './execute-action.ts';

export type { FlowContext, FlowOutcome } from './execute-action.ts';

/** Proposals one call may chain (a price change asks again); more means the agent is looping. */
const MAX_PROPOSALS = 5;

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
    return deniedStep(
      action,
      `The policy denied "${proposal.summary}", so nothing was done: ${denyReasons(action.decision)}`,
    );
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
 * Carries on with an action a crash may have left `executing`. Under a live lease it is someone
 * else's: an answer outside a run says so at once; a run's own call (resumed by the run's one owner
 * after its worker died) waits for the lease to lapse or the action to end. Once the lease lapsed,
 * `recoverExecuting` decides, for one caller only.
 */
async function carryOnExecuting(
  context: FlowContext,
  found: StoredAction,
  answer: string,
  keyId: string | null,
): Promise<FlowOutcome> {
  const { store, projectId, agentContext } = context;
  let current = found;
  for (;;) {
    const step = await recoverExecuting(context, current);
    if (!('live' in step)) return continueWith(context, step);
    if (agentContext.runId === null)
      return {
        kind: 'done',
        status: 'failed',
        actionId: current.action.id,
        output: executingText(step.live),
      };
    const remaining = step.live.expires_at_ms - context.leases.now();
    await sleep(Math.min(Math.max(remaining, 10), 1000), agentContext.signal);
    const again = await store.serviceAgentActions.find(projectId, current.action.id);
    if (again?.action.status !== 'executing') return answerAction(context, again, answer, keyId);
    current = again;
  }
}

/**
 * Answers a found action that waited for a person (or carries on one whose answer was already given):
 * the action of a run's call, or one proposed outside a run and answered by its id.
 */
export async function answerAction(
  context: FlowContext,
  found: StoredAction | undefined,
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
  if (action.status === 'needs_review')
    return { kind: 'done', status: 'failed', actionId: action.id, output: needsReviewText(action) };
  // Only the holder of an action's lease executes it (see `execute-action.ts`). A decline comes too
  // late for an action already executing: it neither stops nor recovers it.
  if (action.status === 'executing')
    return parseAnswer(answer).approved
      ? carryOnExecuting(context, found, answer, keyId)
      : {
          kind: 'done',
          status: 'failed',
          actionId: action.id,
          output: `${executingText(found.lease)} It was approved before; it can no longer be declined.`,
        };
  if (action.status === 'approved')
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

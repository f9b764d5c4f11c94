/**
 * What happens to a built-in agent's proposal: it becomes an action in the audit log, the policy
 * decides, and it is executed only when the policy allows it or a person approved it in time. Every
 * status change is a compare-and-set, so an action executes once even across crashes and nodes
 * (`execute-action.ts`: the claim's lease, and what recovers an action a crash left `executing`).
 */
import { nowSeconds, sleep } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import { counterpartiesOf } from '../domain/counterparty.ts';
import type { Proposal, ServiceAgentAction, TransitionNote } from '../domain/service-agent.ts';
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

const GONE: FlowOutcome = {
  kind: 'done',
  status: 'failed',
  output: 'The action this approval was for no longer exists; nothing was done.',
};

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
 * after its worker died) waits for the lease to lapse or the action to end, then goes on with
 * `next`. Once the lease lapsed, `recoverExecuting` decides, for one caller only.
 */
async function carryOnExecuting(
  context: FlowContext,
  found: StoredAction,
  next: (again: StoredAction | undefined) => Promise<FlowOutcome>,
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
    if (again?.action.status !== 'executing') return next(again);
    current = again;
  }
}

/**
 * Carries on a run's call whose worker stopped before the call's output was recorded, from the
 * newest action of the call (its run and tool call ids are stored with it), never proposing anew
 * what was already proposed: an action `executing` goes through the lease recovery (executed again
 * with the same proposal id only by an agent that dedupes, else `needs_review`), an `approved` one
 * is executed, a pending one asks again, an ended one answers with how it ended. Undefined when the
 * call stored no action, or its last was superseded before the next was stored: nothing of it was
 * executed, and the call is made afresh.
 */
export async function resumeInterrupted(context: FlowContext): Promise<FlowOutcome | undefined> {
  const runId = context.agentContext.runId;
  if (runId === null) return undefined;
  const found = await context.store.serviceAgentActions.findLatestForToolCall(
    context.projectId,
    runId,
    context.toolCallId,
  );
  if (!found || found.action.status === 'superseded') return undefined;
  if (found.action.status === 'pending_approval') return { kind: 'ask', action: found.action };
  return carryOn(context, found, (action) => endedOutcome(action));
}

/**
 * Goes on with an action past its approval: executes an approved one, recovers an executing one,
 * and answers with the outcome of one executed or needing review; `ended` answers for the others.
 */
async function carryOn(
  context: FlowContext,
  found: StoredAction | undefined,
  ended: (action: ServiceAgentAction) => FlowOutcome,
): Promise<FlowOutcome> {
  if (!found) return GONE;
  const { action, state } = found;
  if (action.status === 'executed')
    return {
      kind: 'done',
      status: 'completed',
      actionId: action.id,
      output: String(action.result?.['output'] ?? 'Done.'),
    };
  if (action.status === 'needs_review')
    return { kind: 'done', status: 'failed', actionId: action.id, output: needsReviewText(action) };
  if (action.status === 'executing')
    return carryOnExecuting(context, found, (again) => carryOn(context, again, ended));
  if (action.status === 'approved')
    return continueWith(context, await execute(context, action, state));
  return ended(action);
}

/** What a resumed call reads of an action that ended without executing. */
function endedOutcome(action: ServiceAgentAction): FlowOutcome {
  const summary = action.proposal.summary;
  const ended = (status: 'failed' | 'denied' | 'declined' | 'expired', output: string) => ({
    kind: 'done' as const,
    status,
    actionId: action.id,
    output,
  });
  if (action.status === 'denied')
    return ended(
      'denied',
      `The policy denied "${summary}", so nothing was done: ${denyReasons(action.decision)}`,
    );
  if (action.status === 'declined')
    return ended('declined', `The user declined "${summary}"; nothing was done.`);
  if (action.status === 'expired')
    return ended('expired', `The proposal "${summary}" expired; nothing was done.`);
  const result = action.result ?? {};
  return ended(
    'failed',
    String(result['output'] ?? result['error'] ?? `The action ${action.status}.`),
  );
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
  if (!found) return GONE;
  const { action } = found;
  // Only the holder of an action's lease executes it (see `execute-action.ts`). A decline comes too
  // late for an action already executing: it neither stops nor recovers it.
  if (action.status === 'executing' && !parseAnswer(answer).approved)
    return {
      kind: 'done',
      status: 'failed',
      actionId: action.id,
      output: `${executingText(found.lease)} It was approved before; it can no longer be declined.`,
    };
  if (action.status !== 'pending_approval')
    return carryOn(context, found, (ended) => ({
      kind: 'done',
      status: 'failed',
      actionId: ended.id,
      output: `The action is ${ended.status}; nothing more was done.`,
    }));
  const { state } = found;

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

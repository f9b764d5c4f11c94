/**
 * Executing an action, and recovering one a crash left `executing`. The claim (`approved →
 * executing`) takes a lease in this process's name, renewed by a heartbeat while the agent runs; the
 * outcome is written only while the claim still holds it. When the holder stops renewing (its process
 * died), one party takes the action over (a compare-and-set on the lapsed lease): an agent that dedupes
 * on the proposal id is executed again with that same id, so the provider pays once; any other agent's
 * action becomes `needs_review`, since the first attempt may have paid and nothing may pay twice.
 */
import { nowSeconds } from '../domain/clock.ts';
import { namedCounterparties } from '../domain/counterparty.ts';
import type {
  ActionLease,
  Proposal,
  ServiceAgent,
  ServiceAgentAction,
  TransitionNote,
} from '../domain/service-agent.ts';
import type { StoredAction } from '../storage/ports/service-agents-port.ts';
import type { Store } from '../storage/store.ts';
import { Concierge, GenAi } from '../telemetry/gen-ai-attributes.ts';
import { withSpan } from '../telemetry/tracer.ts';
import { recheckAndMove, type Recheck } from './action-decisions.ts';
import type { ActionLeases } from './action-leases.ts';
import type {
  AgentContext,
  AgentFile,
  AgentStepResult,
  BuiltinServiceAgent,
  ProposalDraft,
} from './builtin-agent.ts';

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
  /** This process's leases on the actions it executes. */
  leases: ActionLeases;
}

export type Step = { outcome: FlowOutcome } | { next: AgentStepResult };

/** The status an action moves to after the agent's step result of each kind. */
const ACTION_STATUS_AFTER: Record<AgentStepResult['kind'], string> = {
  answer: 'executed',
  failed: 'failed',
  proposal: 'superseded',
};

export const SYSTEM = (reason: string): TransitionNote => ({ decided_by: 'system', reason });

export async function move(
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

const TAKEN_UP = 'This action was already taken up by another attempt; nothing was done twice.';

/** The step of a caller that lost the action to another attempt. */
const takenUp = (action: ServiceAgentAction): Step => ({
  outcome: { kind: 'done', status: 'failed', actionId: action.id, output: TAKEN_UP },
});

/** The step of an action the policy denied, with what the caller reads. */
export const deniedStep = (action: ServiceAgentAction, output: string): Step => ({
  outcome: { kind: 'done', status: 'denied', actionId: action.id, output },
});

export function refused(
  action: ServiceAgentAction,
  checked: Exclude<Recheck, { kind: 'moved' }>,
  when: string,
): Step {
  const summary = action.proposal.summary;
  if (checked.kind === 'denied')
    return deniedStep(
      action,
      `The policy denied "${summary}" ${when}, so nothing was done: ${checked.reasons}`,
    );
  if (checked.kind === 'expired')
    return {
      outcome: {
        kind: 'done',
        status: 'expired',
        actionId: action.id,
        output: `The proposal "${summary}" expired before it was carried out; nothing was done. Ask for a fresh quote.`,
      },
    };
  return takenUp(action);
}

/**
 * Writes what the agent returned, only while `holder` still holds the action. An attempt whose action
 * was marked `needs_review` after its lease lapsed still records what really happened; one whose
 * action was taken over writes nothing (the new holder's execution, with the same key, decides).
 */
async function settle(
  context: FlowContext,
  running: ServiceAgentAction,
  holder: string,
  changes: Partial<ServiceAgentAction>,
  note: TransitionNote,
): Promise<boolean> {
  const next: ServiceAgentAction = { ...running, ...changes, updated_at: nowSeconds() };
  const write = (expected: 'executing' | 'needs_review') =>
    context.store.serviceAgentActions.compareAndSet(context.projectId, next, expected, note, {
      expected: { holder },
    });
  if (await write('executing')) return true;
  return next.status !== 'superseded' && (await write('needs_review'));
}

const SUPERSEDED = 'The terms changed; a new proposal replaced this one.';

/** The changes and note that record an agent's step result on its action. */
function settlement(result: AgentStepResult): [Partial<ServiceAgentAction>, TransitionNote] {
  if (result.kind === 'answer')
    return [
      { status: 'executed', result: { output: result.output, ...result.data } },
      SYSTEM('The agent carried it out.'),
    ];
  if (result.kind === 'failed')
    return [
      { status: 'failed', value_usd: 0, result: { output: result.output, ...result.data } },
      SYSTEM(result.output),
    ];
  return [
    { status: 'superseded', value_usd: 0, result: { output: SUPERSEDED } },
    SYSTEM(SUPERSEDED),
  ];
}

/**
 * Runs an approved (or allowed) action once, recording what the agent returned. An `approved` action
 * is claimed first (`executing`, under a fresh lease), after the policy is checked again with the
 * current spend; an action taken over after a crash comes with the lease `held`.
 */
export async function execute(
  context: FlowContext,
  action: ServiceAgentAction,
  state: Record<string, unknown> | undefined,
  held?: ActionLease,
): Promise<Step> {
  const { store, projectId, leases } = context;
  let running = action;
  let lease = held;
  if (action.status === 'approved') {
    lease = leases.take();
    const claimed = await recheckAndMove(
      store,
      projectId,
      action,
      'executing',
      {},
      SYSTEM('Checked against the policy again just before execution.'),
      lease,
    );
    if (claimed.kind !== 'moved') return refused(action, claimed, 'just before execution');
    running = claimed.action;
  }
  if (!lease) throw new Error(`Action ${action.id} would execute without holding its lease.`);
  const { holder } = lease;
  const stopHeartbeat = leases.keepAlive((expiresAtMs) =>
    store.serviceAgentActions.renewLease(projectId, action.id, holder, expiresAtMs),
  );
  try {
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
      const message = (error as Error).message;
      await settle(
        context,
        running,
        holder,
        { status: 'failed', value_usd: 0, result: { error: message } },
        SYSTEM(`The agent failed: ${message}`),
      );
      throw error;
    }
    const written = await settle(context, running, holder, ...settlement(result));
    // A new proposal from an attempt that lost its claim is not this attempt's to decide.
    if (!written && result.kind === 'proposal') return takenUp(action);
    return { next: result };
  } finally {
    stopHeartbeat();
  }
}

/** What the caller reads when a crashed attempt's action was marked `needs_review`. */
export function needsReviewText(action: ServiceAgentAction): string {
  return `An earlier attempt at "${action.proposal.summary}" stopped midway (its process stopped), and this agent cannot tell whether it went through, so it was not tried again: nothing is paid twice. The action needs review (status needs_review): check with the provider before asking again.`;
}

/** What an approval reads when the action is being executed under a live lease. */
export function executingText(lease: ActionLease | null): string {
  const until = lease
    ? ` (its lease runs until ${new Date(lease.expires_at_ms).toISOString()})`
    : '';
  return `This action is being carried out by another request${until}; nothing was done twice.`;
}

/**
 * Recovers an action found `executing`: nothing while its lease is live (the answer says so, `live`);
 * else one caller takes it over, and either executes it again with the same proposal id (an agent that
 * dedupes) or marks it `needs_review`. A caller that loses the takeover does nothing.
 */
export async function recoverExecuting(
  context: FlowContext,
  found: StoredAction,
): Promise<Step | { live: ActionLease }> {
  const { store, projectId, leases, builtin } = context;
  const { action, state, lease } = found;
  const now = leases.now();
  if (lease && lease.expires_at_ms > now) return { live: lease };
  const lapsed = lease
    ? `The lease of ${lease.holder} lapsed at ${new Date(lease.expires_at_ms).toISOString()}`
    : 'The attempt executing it left no lease';
  const base: ServiceAgentAction = { ...action, updated_at: nowSeconds() };
  if (!builtin.dedupesExecution) {
    const reason = `${lapsed}; the agent cannot dedupe a repeat, so it was not executed again.`;
    const reviewed = await store.serviceAgentActions.compareAndSet(
      projectId,
      {
        ...base,
        status: 'needs_review',
        result: { error: 'interrupted', needs_review: true, message: reason },
      },
      'executing',
      SYSTEM(reason),
      lease ? { next: lease, expected: lease } : {},
    );
    return {
      outcome: {
        kind: 'done',
        status: 'failed',
        actionId: action.id,
        output: reviewed ? needsReviewText(action) : TAKEN_UP,
      },
    };
  }
  const next = leases.take();
  const taken = await store.serviceAgentActions.takeOver(
    projectId,
    base,
    lease,
    next,
    now,
    SYSTEM(
      `${lapsed}; taken over to execute it again with the same idempotency key (${action.proposal.id}).`,
    ),
  );
  if (!taken) return takenUp(action);
  return execute(context, base, state, next);
}

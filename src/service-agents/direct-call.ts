/**
 * A built-in service agent called by name outside a run (the MCP door): the same action flow as a
 * run's call (policy, audit log, approval, single execution), with no run or thread. A proposal that
 * needs a person waits `pending_approval` as an action of its own; it is answered by its id, by the
 * caller (MCP elicitation) or later through `POST /v1/service_agents/actions/{id}/approval`.
 */
import { InvalidRequestError, NotFoundError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { ServiceAgent } from '../domain/service-agent.ts';
import type { Store } from '../storage/store.ts';
import { answerAction, followResult, type FlowContext, type FlowOutcome } from './action-flow.ts';
import type { ActionLeases } from './action-leases.ts';
import type { BuiltinServiceAgent } from './builtin-agent.ts';
import type { GuardedInputValidator } from './guarded-input-validation.ts';

export interface DirectCallOptions {
  store: Store;
  builtins: BuiltinServiceAgent[];
  leases: ActionLeases;
  /** Checks arguments against the agent's input schema (its patterns in a worker, time-limited). */
  inputValidator: GuardedInputValidator;
}

export interface DirectCallContext {
  signal: AbortSignal;
  /** A line of progress from the agent. */
  progress?(text: string): void;
}

/** A person's answer to a pending action. */
export interface ActionAnswer {
  approved: boolean;
  reason?: string | null;
}

function unavailable(agent: ServiceAgent): FlowOutcome {
  return {
    kind: 'done',
    status: 'failed',
    output: `The built-in agent '${agent.builtin ?? agent.name}' is not available on this server.`,
  };
}

export function createDirectAgentCalls({
  store,
  builtins,
  leases,
  inputValidator,
}: DirectCallOptions) {
  function flowOf(
    projectId: string,
    agent: ServiceAgent,
    toolCallId: string,
    { signal, progress }: DirectCallContext,
  ): FlowContext | undefined {
    const builtin = builtins.find((candidate) => candidate.builtin === agent.builtin);
    if (!builtin) return undefined;
    return {
      store,
      projectId,
      agent,
      builtin,
      toolCallId,
      leases,
      agentContext: {
        projectId,
        serviceAgentId: agent.id,
        runId: null,
        threadId: null,
        signal,
        progress: progress ?? (() => {}),
      },
    };
  }

  return {
    /** Validates the arguments and runs the agent; a failure the caller can act on is an outcome. */
    async call(
      projectId: string,
      agent: ServiceAgent,
      argumentsText: string,
      context: DirectCallContext,
    ): Promise<FlowOutcome> {
      if (agent.kind !== 'builtin') throw new Error(`Agent ${agent.id} is not a built-in agent.`);
      const validated = await inputValidator.validate(agent.input_schema, argumentsText);
      if ('error' in validated) return { kind: 'done', status: 'failed', output: validated.error };
      const flow = flowOf(projectId, agent, newId('toolCall'), context);
      if (!flow) return unavailable(agent);
      return followResult(flow, await flow.builtin.prepare(validated.input, flow.agentContext));
    },

    /**
     * Answers an action proposed outside a run, with the project key that answered (null for the
     * admin key or dev mode). An action of a run is answered through that run's approve_action call.
     */
    async answer(
      projectId: string,
      actionId: string,
      answer: ActionAnswer,
      keyId: string | null,
      context: DirectCallContext,
    ): Promise<FlowOutcome> {
      const found = await store.serviceAgentActions.find(projectId, actionId);
      if (!found) throw NotFoundError.object('action', actionId, 'action_id');
      if (found.action.run_id !== null)
        throw new InvalidRequestError(
          `Action ${actionId} belongs to run ${found.action.run_id}; answer it through that run's approve_action call (submit_tool_outputs).`,
          'action_id',
        );
      const agent = await store.serviceAgents.find(projectId, found.action.service_agent_id);
      if (!agent)
        throw new InvalidRequestError(
          `The service agent of action ${actionId} no longer exists.`,
          'action_id',
        );
      const flow = flowOf(projectId, agent, found.action.tool_call_id ?? actionId, context);
      if (!flow) return unavailable(agent);
      return answerAction(
        flow,
        found,
        JSON.stringify({ approved: answer.approved, reason: answer.reason ?? undefined }),
        keyId,
      );
    },
  };
}

export type DirectAgentCalls = ReturnType<typeof createDirectAgentCalls>;

/**
 * A service agent of kind `a2a`: the task goes to a remote agent (A2A) and its task states map onto
 * the step. When the remote agent needs input (input-required, auth-required), the run asks the
 * client through a `provide_agent_input` function call and sends the answer back on the same task.
 */
import type { ServiceAgent } from '../domain/service-agent.ts';
import type { StepToolCall } from '../domain/run.ts';
import type { ToolContext, ToolExecution } from '../tools/tool.ts';
import { childDelegationDepth, delegationTooDeep } from './delegation-depth.ts';

/** The status a service_agent tool call shows in its run step. */
export type AgentCallStatus =
  | 'in_progress'
  | 'working'
  | 'awaiting_approval'
  | 'awaiting_input'
  | 'completed'
  | 'failed'
  | 'denied'
  | 'declined'
  | 'expired';

export type RemoteTaskState =
  | 'submitted'
  | 'working'
  | 'input-required'
  | 'auth-required'
  | 'completed'
  | 'failed'
  | 'canceled'
  | 'rejected';

export interface RemoteAgentUpdate {
  taskId: string;
  contextId: string;
  state: RemoteTaskState;
  /** The text of the agent's status message and artifacts (untrusted). */
  text: string;
  data?: unknown[];
}

/** The A2A client the tool needs (`src/service-agents/a2a/` implements it over @a2a-js/sdk). */
export interface RemoteAgentClient {
  send(
    url: string,
    message: { text?: string; data?: Record<string, unknown>; taskId?: string; contextId?: string },
    options: {
      signal: AbortSignal;
      onUpdate(update: RemoteAgentUpdate): void;
      /** The delegation level of the remote run, sent in `Concierge-Delegation-Depth`. */
      delegationDepth: number;
    },
  ): Promise<RemoteAgentUpdate>;
  cancel(url: string, taskId: string): Promise<void>;
}

export const PROVIDE_AGENT_INPUT = 'provide_agent_input';

interface RemoteCall {
  callId: string;
  agent: ServiceAgent;
  context: ToolContext;
  toolCall(details: { output: string | null; status: AgentCallStatus }): StepToolCall;
  framed(status: string, text: string): string;
}

function statusOf(state: RemoteTaskState): AgentCallStatus {
  if (state === 'completed') return 'completed';
  if (state === 'input-required' || state === 'auth-required') return 'awaiting_input';
  if (state === 'submitted' || state === 'working') return 'working';
  return 'failed';
}

async function follow(
  client: RemoteAgentClient,
  call: RemoteCall,
  message: Parameters<RemoteAgentClient['send']>[1],
): Promise<ToolExecution> {
  const { agent, context } = call;
  const url = agent.url!;
  // The remote agent may be this server (or another Concierge): it counts as one more level.
  const delegationDepth = childDelegationDepth(context.options);
  const tooDeep = delegationTooDeep(agent.name, delegationDepth);
  if (tooDeep) {
    const output = `${tooDeep} Nothing was sent to the remote agent.`;
    return { kind: 'completed', toolCall: call.toolCall({ output, status: 'failed' }), output };
  }
  let last: RemoteAgentUpdate | undefined;
  try {
    last = await client.send(url, message, {
      signal: context.signal,
      delegationDepth,
      onUpdate: (update) => {
        last = update;
        context.emitDelta({
          type: 'service_agent',
          service_agent: { status: statusOf(update.state) },
        });
      },
    });
  } catch (error) {
    if (context.signal.aborted) {
      if (last) await client.cancel(url, last.taskId).catch(() => {});
      throw error;
    }
    const output = `The remote agent could not be reached or answered badly: ${(error as Error).message}`;
    return { kind: 'completed', toolCall: call.toolCall({ output, status: 'failed' }), output };
  }
  const status = statusOf(last.state);
  if (status === 'awaiting_input') {
    return {
      kind: 'approval',
      name: PROVIDE_AGENT_INPUT,
      toolCall: call.toolCall({ output: null, status }),
      arguments: {
        service_agent: agent.name,
        task_id: last.taskId,
        context_id: last.contextId,
        needs: last.state,
        question: last.text,
        how_to_answer: "Submit the input the agent asked for as this call's output (plain text).",
      },
    };
  }
  const output = call.framed(
    last.state,
    last.text || `(the task ended ${last.state} with no text)`,
  );
  return { kind: 'completed', toolCall: call.toolCall({ output, status }), output };
}

export function askRemoteAgent(
  client: RemoteAgentClient,
  call: RemoteCall & { input: Record<string, unknown> },
): Promise<ToolExecution> {
  const keys = Object.keys(call.input);
  const message =
    keys.length === 1 && typeof call.input['task'] === 'string'
      ? { text: call.input['task'] }
      : { data: call.input };
  return follow(client, call, message);
}

/** Sends the client's answer to the remote task that asked for it. */
export function continueRemoteAgent(
  client: RemoteAgentClient,
  call: RemoteCall & { answer: { arguments: string; output: string } },
): Promise<ToolExecution> {
  const asked = JSON.parse(call.answer.arguments) as { task_id: string; context_id: string };
  return follow(client, call, {
    text: call.answer.output,
    taskId: asked.task_id,
    contextId: asked.context_id,
  });
}

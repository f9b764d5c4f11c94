/**
 * A remote A2A agent as a service-agent tool: the input the model fills in, and how each task state
 * becomes what the model reads (an `AgentStepResult`). A remote agent acts on its own side, so nothing
 * here is a proposal: its results are answers, its refusals and failures are failures, and when it asks
 * for input the model is told to ask the user and call again with the task id.
 */
import type { AgentFile, AgentStepResult } from '../builtin-agent.ts';
import type { A2aSendInput, A2aUpdate } from './a2a-client.ts';

/** The JSON Schema of an `a2a` service agent's input (the default `input_schema`). */
export const A2A_AGENT_INPUT_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    message: { type: 'string', description: 'What to ask the remote agent, in plain words.' },
    data: { type: 'object', description: 'Structured input for the remote agent, if it expects some.' },
    task_id: { type: 'string', description: 'When answering a remote task that asked for more input: its task_id from the earlier result.' },
    context_id: { type: 'string', description: 'To continue an earlier exchange with this agent: its context_id from the earlier result.' },
  },
  required: ['message'],
  additionalProperties: false,
};

/** The client's send input for arguments that passed `A2A_AGENT_INPUT_SCHEMA`. */
export function a2aSendInputOf(input: Record<string, unknown>): A2aSendInput {
  return {
    text: String(input['message']),
    ...(input['data'] && typeof input['data'] === 'object' ? { data: input['data'] as Record<string, unknown> } : {}),
    ...(typeof input['task_id'] === 'string' && input['task_id'] ? { taskId: input['task_id'] } : {}),
    ...(typeof input['context_id'] === 'string' && input['context_id'] ? { contextId: input['context_id'] } : {}),
  };
}

function filesOf(update: A2aUpdate): AgentFile[] {
  return update.artifacts.flatMap((artifact) =>
    artifact.files.flatMap((file) => (file.content ? [{ name: file.name, content: file.content, mimeType: file.mediaType }] : [])),
  );
}

/** The update's ids and state, for the step and for the model's next call. */
function summaryOf(update: A2aUpdate): Record<string, unknown> {
  return { a2a: { task_id: update.taskId, context_id: update.contextId, state: update.state }, results: update.data };
}

/** What the model reads once a remote task settled. `text` is already fenced as untrusted data. */
export function a2aStepResultOf(update: A2aUpdate, agentName: string): AgentStepResult {
  const data = summaryOf(update);
  const said = update.text ? `\n${update.text}` : '';
  switch (update.state) {
    case 'completed': {
      const files = filesOf(update);
      return { kind: 'answer', output: update.text || `${agentName} completed the task without output.`, data, ...(files.length ? { files } : {}) };
    }
    case 'input-required':
      return {
        kind: 'answer',
        output: `${agentName} needs more input before it can go on. Ask the user what it asks, then call ${agentName} again with task_id "${update.taskId}" and context_id "${update.contextId}".${said}`,
        data,
      };
    case 'auth-required':
      return { kind: 'failed', output: `${agentName} asks for credentials that Concierge cannot give it; the task cannot go on.${said}`, data };
    case 'rejected':
      return { kind: 'failed', output: `${agentName} declined the task.${said}`, data };
    case 'canceled':
      return { kind: 'failed', output: `The task at ${agentName} was cancelled.${said}`, data };
    case 'failed':
      return { kind: 'failed', output: `${agentName} could not do the task.${said}`, data };
    default:
      return { kind: 'failed', output: `${agentName} stopped answering while the task was ${update.state}.${said}`, data };
  }
}

/**
 * A service agent of kind `assistant`: the task runs as a child run of that assistant on a child
 * thread, through the same engine, so it is inspectable with the ordinary endpoints. The parent follows
 * the child's events (its text streams into the parent step) until it ends. Delegation is bounded in
 * depth, and an assistant never delegates to itself or to an ancestor in the chain.
 */
import { InvalidRequestError } from '../domain/errors.ts';
import type { ServiceAgent } from '../domain/service-agent.ts';
import type { Run, RunOptions } from '../domain/run.ts';
import { STREAM_ENDING_EVENTS } from '../domain/run-event.ts';
import type { RunsEngine } from '../engine/runs-engine.ts';
import type { Store } from '../storage/store.ts';
import { childDelegationDepth, delegationTooDeep } from './delegation-depth.ts';

export interface DelegationInput {
  store: Store;
  /** Starts, follows and stops the child run. */
  runs: RunsEngine;
  projectId: string;
  agent: ServiceAgent;
  input: Record<string, unknown>;
  parent: { run: Run; options: RunOptions };
  signal: AbortSignal;
  /** The child's thread and run, once they exist (the parent step shows them). */
  started(childThreadId: string, childRunId: string): void;
  /** A fragment of the child's answer as it streams. */
  text(delta: string): void;
}

export interface DelegationResult {
  status: 'completed' | 'failed';
  output: string;
  threadId: string | null;
  runId: string | null;
}

/** The task as the child assistant reads it: the `task` string, or the whole input as JSON. */
function taskText(input: Record<string, unknown>): string {
  const keys = Object.keys(input);
  if (keys.length === 1 && typeof input['task'] === 'string') return input['task'];
  return JSON.stringify(input, null, 2);
}

/** Cancels the child run; a run that already ended (or is being cancelled) is left as it is. */
async function stopChild(runs: RunsEngine, projectId: string, runId: string): Promise<void> {
  try {
    await runs.cancel(projectId, runId);
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
  }
}

function fail(output: string): DelegationResult {
  return { status: 'failed', output, threadId: null, runId: null };
}

export async function delegateToAssistant(delegation: DelegationInput): Promise<DelegationResult> {
  const { store, runs, projectId, agent, parent } = delegation;
  const depth = childDelegationDepth(parent.options);
  const ancestry = [...(parent.options.parent?.assistant_ids ?? []), parent.run.assistant_id];
  const tooDeep = delegationTooDeep(agent.name, depth);
  if (tooDeep) return fail(tooDeep);
  if (agent.assistant_id === null) return fail(`Service agent '${agent.name}' names no assistant.`);
  if (ancestry.includes(agent.assistant_id))
    return fail(
      `Delegating to '${agent.name}' would loop: its assistant is already in this chain of runs.`,
    );
  const assistant = await store.assistants.find(projectId, agent.assistant_id);
  if (!assistant) return fail(`The assistant behind '${agent.name}' no longer exists.`);

  const { run } = await runs.createWithThread(
    projectId,
    {
      metadata: { parent_run_id: parent.run.id, service_agent_id: agent.id },
      messages: [{ role: 'user', content: taskText(delegation.input) }],
    },
    { assistant, parent: { run_id: parent.run.id, depth, assistant_ids: ancestry } },
  );
  const threadId = run.thread_id;
  delegation.started(threadId, run.id);

  let ending: string | undefined;
  try {
    for await (const event of runs.events(run.id, 0, delegation.signal)) {
      if (event.event === 'thread.message.delta') {
        const delta = JSON.parse(event.data) as {
          delta: { content?: Array<{ text?: { value?: string } }> };
        };
        for (const part of delta.delta.content ?? [])
          if (part.text?.value) delegation.text(part.text.value);
      }
      if (STREAM_ENDING_EVENTS.has(event.event)) ending = event.event.slice('thread.run.'.length);
    }
  } finally {
    if (delegation.signal.aborted) await stopChild(runs, projectId, run.id).catch(() => {});
  }
  delegation.signal.throwIfAborted();

  const result = (status: DelegationResult['status'], output: string): DelegationResult => ({
    status,
    output,
    threadId,
    runId: run.id,
  });
  if (ending === 'completed') {
    const answers = (await store.messages.listAll(projectId, threadId)).filter(
      (message) => message.run_id === run.id && message.role === 'assistant',
    );
    const text = answers
      .map((message) =>
        message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join(''),
      )
      .join('\n\n');
    return result('completed', text || '(the agent answered with no text)');
  }
  if (ending === 'requires_action') {
    await stopChild(runs, projectId, run.id);
    return result(
      'failed',
      `'${agent.name}' needed tool outputs from a client, which a delegated run cannot get; it was cancelled.`,
    );
  }
  const child = await store.runs.find(projectId, run.id);
  return result(
    'failed',
    `'${agent.name}' did not finish: its run ended ${ending ?? child?.status ?? 'unexpectedly'}${child?.last_error ? ` (${child.last_error.message})` : ''}.`,
  );
}

/**
 * A service agent of kind `assistant`: the task runs as a child run of that assistant on a child
 * thread, through the same engine, so it is inspectable with the ordinary endpoints. The parent follows
 * the child's events (its text streams into the parent step) until it ends. Delegation is bounded in
 * depth, and an assistant never delegates to itself or to an ancestor in the chain.
 */
import type { ServiceAgent } from '../domain/service-agent.ts';
import type { Run, RunOptions } from '../domain/run.ts';
import { nowSeconds } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import type { Thread } from '../domain/thread.ts';
import { buildRun, insertRun } from '../engine/create-run.ts';
import type { EventBus } from '../engine/event-bus.ts';
import { runEventStream } from '../engine/run-event-stream.ts';
import { cancelIdleRun, requestCancel } from '../engine/run-transitions.ts';
import type { Store } from '../storage/store.ts';
import { childDelegationDepth, delegationTooDeep } from './delegation-depth.ts';

export { MAX_DELEGATION_DEPTH } from './delegation-depth.ts';

export interface DelegationInput {
  store: Store;
  bus: EventBus;
  runExpirySeconds: number;
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

async function stopChild(
  store: Store,
  bus: EventBus,
  projectId: string,
  runId: string,
): Promise<void> {
  const run = await store.runs.find(projectId, runId);
  if (!run) return;
  if (run.status === 'in_progress') await requestCancel(store, bus, projectId, run);
  else if (run.status === 'queued' || run.status === 'requires_action')
    await cancelIdleRun(store, bus, projectId, run);
}

function fail(output: string): DelegationResult {
  return { status: 'failed', output, threadId: null, runId: null };
}

export async function delegateToAssistant(delegation: DelegationInput): Promise<DelegationResult> {
  const { store, bus, projectId, agent, parent } = delegation;
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

  const createdAt = nowSeconds();
  const thread: Thread = {
    id: newId('thread'),
    object: 'thread',
    created_at: createdAt,
    tool_resources: {},
    metadata: { parent_run_id: parent.run.id, service_agent_id: agent.id },
  };
  const run = buildRun(thread.id, assistant, {}, delegation.runExpirySeconds);
  const options: RunOptions = {
    additional_instructions: null,
    reasoning_effort: assistant.reasoning_effort,
    include: [],
    tool_resources: null,
    parent: { run_id: parent.run.id, depth, assistant_ids: ancestry },
  };
  await insertRun(store, bus, projectId, run, options, async (transaction) => {
    await transaction.threads.insert(projectId, thread);
    await transaction.messages.insert(projectId, {
      id: newId('message'),
      object: 'thread.message',
      created_at: createdAt,
      thread_id: thread.id,
      status: 'completed',
      incomplete_details: null,
      completed_at: null,
      incomplete_at: null,
      role: 'user',
      content: [{ type: 'text', text: { value: taskText(delegation.input), annotations: [] } }],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: {},
    });
    return [];
  });
  delegation.started(thread.id, run.id);

  let ending: string | undefined;
  try {
    for await (const event of runEventStream({
      events: store.runEvents,
      bus,
      runId: run.id,
      afterSeq: 0,
      signal: delegation.signal,
    })) {
      if (event.event === 'thread.message.delta') {
        const delta = JSON.parse(event.data) as {
          delta: { content?: Array<{ text?: { value?: string } }> };
        };
        for (const part of delta.delta.content ?? [])
          if (part.text?.value) delegation.text(part.text.value);
      }
      if (
        event.event.startsWith('thread.run.') &&
        ['requires_action', 'completed', 'incomplete', 'failed', 'cancelled', 'expired'].includes(
          event.event.slice('thread.run.'.length),
        )
      ) {
        ending = event.event.slice('thread.run.'.length);
      }
    }
  } finally {
    if (delegation.signal.aborted) await stopChild(store, bus, projectId, run.id).catch(() => {});
  }
  delegation.signal.throwIfAborted();

  const result = (status: DelegationResult['status'], output: string): DelegationResult => ({
    status,
    output,
    threadId: thread.id,
    runId: run.id,
  });
  if (ending === 'completed') {
    const answers = (await store.messages.listAll(projectId, thread.id)).filter(
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
    await stopChild(store, bus, projectId, run.id);
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

/**
 * An assistant called as an MCP tool: the message starts a run (on the given thread, or a new one),
 * the run's text streams to the client as progress, and the answer is the assistant's reply with the
 * thread id, so the next call can continue the conversation. A run that pauses for an approval asks
 * the person through elicitation when the client can; otherwise the answer says how to approve it.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Assistant } from '../../domain/assistant.ts';
import type { Run } from '../../domain/run.ts';
import type { RunsEngine } from '../../engine/runs-engine.ts';
import { parseOrThrow } from '../../http/validation.ts';
import type { Store } from '../../storage/store.ts';
import { APPROVE_ACTION } from '../../tools/tool.ts';
import {
  RunCreateParamsSchema,
  ThreadCreateAndRunParamsSchema,
} from '../threads/runs/runs.schemas.ts';
import { approvalReason, type McpCaller } from './mcp-caller.ts';

export interface AssistantCallOptions {
  store: Store;
  runs: RunsEngine;
}

/** The input schema of every assistant tool. */
export const ASSISTANT_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    message: { type: 'string', description: 'What to say to the assistant.' },
    thread_id: {
      type: 'string',
      description: 'The thread_id of an earlier answer, to continue that conversation.',
    },
  },
  required: ['message'],
  additionalProperties: false,
} as const;

/** Most approvals one call asks for before it leaves the rest to the API. */
const MAX_ASKS = 5;

export function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function textOfDelta(data: string): string {
  const delta = JSON.parse(data) as { delta: { content?: Array<{ text?: { value?: string } }> } };
  return (delta.delta.content ?? []).map((part) => part.text?.value ?? '').join('');
}

function pendingResult(run: Run): CallToolResult {
  const calls = run.required_action?.submit_tool_outputs.tool_calls ?? [];
  const text = [
    `The assistant's run ${run.id} (thread ${run.thread_id}) is waiting for an answer to ${calls.length} call(s):`,
    ...calls.map((call) => `- ${call.function.name} ${call.function.arguments} (id ${call.id})`),
    `Answer them in the Concierge playground (open the thread), or with POST /v1/threads/${run.thread_id}/runs/${run.id}/submit_tool_outputs; an approve_action call takes {"approved": true} or {"approved": false, "reason": "…"}.`,
  ].join('\n');
  return {
    content: [{ type: 'text', text }],
    structuredContent: {
      status: 'requires_action',
      thread_id: run.thread_id,
      run_id: run.id,
      required_action: run.required_action,
    },
  };
}

export function createAssistantCalls({ store, runs }: AssistantCallOptions) {
  async function start(
    caller: McpCaller,
    assistant: Assistant,
    message: string,
    threadId: string | undefined,
  ) {
    const userMessage = { role: 'user' as const, content: message };
    if (threadId !== undefined) {
      const params = parseOrThrow(
        RunCreateParamsSchema,
        { assistant_id: assistant.id, additional_messages: [userMessage] },
        'body',
      );
      return runs.create(caller.projectId, threadId, {
        assistant,
        messages: params.additional_messages ?? [],
        messagesParam: 'additional_messages',
      });
    }
    const params = parseOrThrow(
      ThreadCreateAndRunParamsSchema,
      {
        assistant_id: assistant.id,
        // The thread records which MCP client started it.
        thread: { messages: [userMessage], metadata: { mcp_client: caller.client.slice(0, 512) } },
      },
      'body',
    );
    return runs.createWithThread(caller.projectId, params.thread ?? {}, { assistant });
  }

  /** Follows the run to its end or its next pause, streaming its text as progress. */
  async function follow(caller: McpCaller, runId: string, afterSeq: number): Promise<Run> {
    for await (const event of runs.events(runId, afterSeq, caller.signal)) {
      if (event.event !== 'thread.message.delta') continue;
      const text = textOfDelta(event.data);
      if (text) caller.progress(text);
    }
    caller.signal.throwIfAborted();
    return (await store.runs.find(caller.projectId, runId))!;
  }

  /** Asks the person about each pending approval; false when the client cannot ask. */
  async function askEach(caller: McpCaller, run: Run): Promise<boolean> {
    const calls = run.required_action?.submit_tool_outputs.tool_calls ?? [];
    if (calls.length === 0 || calls.some((call) => call.function.name !== APPROVE_ACTION))
      return false;
    const outputs = [];
    for (const call of calls) {
      const proposal = JSON.parse(call.function.arguments) as { summary?: string };
      const answer = await caller.askApproval(
        `Approve this action? ${proposal.summary ?? call.function.arguments}`,
      );
      if (!answer) return false;
      outputs.push({
        tool_call_id: call.id,
        output: JSON.stringify({
          approved: answer.approved,
          reason: approvalReason(caller, answer),
        }),
      });
    }
    const { afterSeq } = await runs.submitToolOutputs(
      caller.projectId,
      run.id,
      outputs,
      caller.keyId,
    );
    await follow(caller, run.id, afterSeq);
    return true;
  }

  async function replyOf(projectId: string, run: Run): Promise<string> {
    const answers = (await store.messages.listAll(projectId, run.thread_id)).filter(
      (message) => message.run_id === run.id && message.role === 'assistant',
    );
    return answers
      .map((message) =>
        message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join(''),
      )
      .join('\n\n');
  }

  return {
    async call(
      caller: McpCaller,
      assistant: Assistant,
      input: { message: string; thread_id?: string | undefined },
    ): Promise<CallToolResult> {
      if (
        input.thread_id !== undefined &&
        !(await store.threads.find(caller.projectId, input.thread_id))
      )
        return errorResult(
          `thread_id '${input.thread_id}' is not a conversation of this project; leave it out to start a new one.`,
        );
      const started = await start(caller, assistant, input.message, input.thread_id);
      let run = await follow(caller, started.run.id, started.afterSeq);
      for (let asked = 0; run.status === 'requires_action' && asked < MAX_ASKS; asked++) {
        if (!(await askEach(caller, run))) break;
        run = (await store.runs.find(caller.projectId, run.id))!;
      }
      if (run.status === 'requires_action') return pendingResult(run);
      if (run.status !== 'completed')
        return errorResult(
          `The assistant's run ${run.id} ended ${run.status}${run.last_error ? `: ${run.last_error.message}` : ''} (thread ${run.thread_id}).`,
        );
      const reply = await replyOf(caller.projectId, run);
      return {
        content: [{ type: 'text', text: reply || '(the assistant answered with no text)' }],
        structuredContent: { reply, thread_id: run.thread_id, run_id: run.id, status: run.status },
      };
    },
  };
}

export type AssistantCalls = ReturnType<typeof createAssistantCalls>;

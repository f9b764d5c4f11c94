/**
 * Phase: settle a tool_calls step. Server-side calls (file_search, code_interpreter, service agents)
 * run here, streaming progress as step deltas; a call that needs a person's approval adds an
 * `approve_action` function call for the client. The step completes once every call has an output;
 * until then the run waits in `requires_action` for the client's function outputs and approvals.
 */
import { nowSeconds } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import type { Run, RunOptions, RunStep, StepToolCall, Usage } from '../domain/run.ts';
import type { ToolResources } from '../domain/assistant.ts';
import type { StepTranscript, TranscriptCall } from '../domain/run-record.ts';
import type { MeterEntry, Store } from '../storage/store.ts';
import { APPROVE_ACTION, type ServerTool, type ToolContext } from '../tools/tool.ts';
import { toolOutputRoom } from './build-model-request.ts';
import { endStep } from './finish-run.ts';
import { fitExecution } from './fit-tool-output.ts';
import { publicStep } from '../domain/public-step.ts';
import { toolCallDelta, usageOf } from './run-objects.ts';
import { requestInput, type RunSession } from './run-session.ts';
import { runUsage, usedTokens } from './run-usage.ts';
import type { RunWriter } from './run-writer.ts';
import { HandBack } from './stop-reasons.ts';
import type { TokenCounter } from './token-counter.ts';

/** A call the client must answer: a function tool, or an approval a server tool asked for. */
export interface ClientCall {
  id: string;
  name: string;
  arguments: string;
}

export interface SettledStep {
  step: RunStep;
  transcript: StepTranscript;
  /** Calls still waiting for the client; empty when the step is complete. */
  waiting: ClientCall[];
}

/**
 * A step a run continues rather than repeats: a tool_calls step in progress whose model output is
 * recorded (its transcript is written when the model's turn ends). Its calls keep the outputs they
 * have and the rest are settled (see `settleToolStep`); the model is not asked again, so a call that
 * moved value is never proposed a second time under a new id. This covers a step waiting on
 * approvals the client has answered, and one whose worker stopped while settling it.
 */
export function isResumable(step: RunStep, transcript: StepTranscript | null): boolean {
  return (
    step.status === 'in_progress' && step.step_details.type === 'tool_calls' && transcript !== null
  );
}

/** The output a built-in tool call beyond the response's `max_tool_calls` gets instead of running. */
export function toolBudgetSpent(max: number): string {
  return (
    `Not executed: this response may make at most ${max} built-in tool call${max === 1 ? '' : 's'} ` +
    '(max_tool_calls), and has made them. Answer with what you have.'
  );
}

/** How many built-in tool calls the run's earlier steps made (`max_tool_calls` counts them). */
export function countToolCalls(
  steps: { transcript: StepTranscript | null }[],
  toolFor: (name: string) => ServerTool | undefined,
): number {
  let count = 0;
  for (const { transcript } of steps)
    for (const call of transcript?.calls ?? []) if (toolFor(call.name)) count += 1;
  return count;
}

/** How many file_search results the run's earlier steps produced (citation markers continue from there). */
export function countSources(steps: RunStep[]): number {
  let count = 0;
  for (const step of steps) {
    if (step.step_details.type !== 'tool_calls') continue;
    for (const call of step.step_details.tool_calls)
      if (call.type === 'file_search') count += call.file_search.results?.length ?? 0;
  }
  return count;
}

function approvalEntry(call: TranscriptCall): StepToolCall {
  const approval = call.approval!;
  return {
    id: approval.callId,
    type: 'function',
    function: {
      name: approval.name ?? APPROVE_ACTION,
      arguments: approval.arguments,
      output: approval.output,
    },
  };
}

export async function settleToolStep(input: {
  store: Store;
  writer: RunWriter;
  projectId: string;
  options: RunOptions;
  toolResources: ToolResources;
  toolFor: (name: string) => ServerTool | undefined;
  step: RunStep;
  transcript: StepTranscript;
  sourceOffset: number;
  /** Tokens the outputs of this step's pending calls may use together (see `toolOutputRoom`). */
  outputRoom: number;
  counter: TokenCounter;
  signal: AbortSignal;
  /** Built-in tool calls the run's earlier steps made (counted against `max_tool_calls`). */
  toolCallsBefore?: number;
  /** The step is settled again after its worker stopped (see `ToolContext.resumed`). */
  resumed?: boolean;
}): Promise<SettledStep> {
  const { writer } = input;
  const step = input.step;
  const toolCalls = [...(step.step_details as { tool_calls: StepToolCall[] }).tool_calls];
  const transcript: StepTranscript = {
    ...input.transcript,
    calls: input.transcript.calls.map((call) => ({ ...call })),
  };
  let sourceOffset = input.sourceOffset;
  const meters: MeterEntry[] = [];
  // The room is shared by the calls still without an output (the client's too); a call that needs
  // less leaves the rest to the others.
  let room = input.outputRoom;
  let unanswered = transcript.calls.filter((call) => call.output === null).length;
  // `max_tool_calls`: the calls already made (earlier steps, and this step's before a pause) count.
  const maxToolCalls = input.options.max_tool_calls ?? null;
  let toolCallsMade =
    (input.toolCallsBefore ?? 0) +
    transcript.calls.filter(
      (call) => input.toolFor(call.name) && (call.output !== null || call.approval),
    ).length;

  for (const [index, call] of transcript.calls.entries()) {
    const tool = input.toolFor(call.name);
    if (!tool || call.output !== null) continue;
    if (call.approval && call.approval.output === null) continue;
    input.signal.throwIfAborted();
    if (!call.approval) {
      if (maxToolCalls !== null && toolCallsMade >= maxToolCalls) {
        // Not executed: the model reads why, and answers without it (or calls a function tool).
        call.output = toolBudgetSpent(maxToolCalls);
        room -= input.counter.count(call.output);
        unanswered -= 1;
        continue;
      }
      toolCallsMade += 1;
    }
    const context: ToolContext = {
      projectId: input.projectId,
      run: writer.run,
      options: input.options,
      toolResources: input.toolResources,
      signal: input.signal,
      sourceOffset,
      ...(input.resumed ? { resumed: true } : {}),
      emitDelta: (delta) =>
        writer.emit('thread.run.step.delta', toolCallDelta(step.id, { index, ...delta })),
    };
    const answered = call.approval?.output;
    const executed =
      answered != null && tool.resume
        ? await tool.resume(
            call.id,
            call.name,
            call.arguments,
            {
              arguments: call.approval!.arguments,
              output: answered,
              keyId: call.approval!.keyId ?? null,
            },
            context,
          )
        : await tool.execute(call.id, call.name, call.arguments, context);
    const execution =
      executed.kind === 'completed'
        ? fitExecution(executed, Math.floor(room / Math.max(1, unanswered)), input.counter)
        : executed;
    toolCalls[index] = execution.toolCall;
    if (executed.kind === 'completed')
      for (const { meter, amount } of executed.meters ?? [])
        meters.push({
          projectId: input.projectId,
          apiKeyId: input.options.api_key_id ?? null,
          meter,
          at: nowSeconds(),
          amount,
        });
    if (execution.kind === 'completed') {
      call.output = execution.output;
      room -= input.counter.count(execution.output);
      unanswered -= 1;
      if (execution.messageContent?.length) call.messageContent = execution.messageContent;
      if (execution.files?.length) call.files = execution.files;
      if (execution.toolCall.type === 'file_search')
        sourceOffset += execution.toolCall.file_search.results?.length ?? 0;
    } else {
      call.approval = {
        callId: newId('toolCall'),
        ...(execution.name ? { name: execution.name } : {}),
        arguments: JSON.stringify(execution.arguments),
        output: null,
      };
    }
    // Stopped during this call (a cancelled code cell says so in its output): the step keeps what
    // ran, and `settleTools` ends the run as the abort's reason says.
    if (input.signal.aborted) break;
  }

  // Approval requests show in the step as `approve_action` function calls, after the model's own calls.
  const shown = toolCalls.slice(0, transcript.calls.length);
  for (const call of transcript.calls) if (call.approval) shown.push(approvalEntry(call));
  const updated: RunStep = { ...step, step_details: { type: 'tool_calls', tool_calls: shown } };
  // A run handed back (its lease lost, or its worker closing) writes nothing more: the worker that
  // takes it over settles the step again from what is recorded, and may already have.
  if (input.signal.reason instanceof HandBack) throw input.signal.reason;
  // A call's metered usage commits with the step that shows its result, or not at all.
  await writer.write(async () => {
    if (meters.length === 0)
      await input.store.runSteps.update(input.projectId, updated, transcript);
    else
      await input.store.transaction(async (transaction) => {
        await transaction.runSteps.update(input.projectId, updated, transcript);
        for (const meter of meters) await transaction.usage.addMeter(meter);
      });
  });

  const waiting: ClientCall[] = [];
  for (const call of transcript.calls) {
    if (call.output !== null) continue;
    if (call.approval) {
      if (call.approval.output === null)
        waiting.push({
          id: call.approval.callId,
          name: call.approval.name ?? APPROVE_ACTION,
          arguments: call.approval.arguments,
        });
    } else if (!input.toolFor(call.name)) {
      waiting.push({ id: call.id, name: call.name, arguments: call.arguments });
    }
  }
  return { step: updated, transcript, waiting };
}

/**
 * Settles a tool-calls step of the session's run: its server calls run, each output fitted to the room
 * the next turn leaves, and the step completes; or, when calls wait for the client, the run pauses in
 * `requires_action`.
 */
export async function settleTools(
  session: RunSession,
  step: RunStep,
  transcript: StepTranscript,
  resumed = false,
): Promise<'paused' | 'completed'> {
  const { context, writer, record } = session;
  const earlier = context.steps.filter((entry) => entry.step.id !== step.id);
  const outputRoom = toolOutputRoom(
    { ...requestInput(session), used: usedTokens([...earlier, { step, transcript }]) },
    transcript,
  );
  const settled = await settleToolStep({
    store: context.store,
    writer,
    projectId: record.projectId,
    options: record.options,
    toolResources: session.toolResources,
    toolFor: session.toolFor,
    step,
    transcript,
    sourceOffset: countSources(earlier.map((entry) => entry.step)),
    toolCallsBefore: countToolCalls(earlier, session.toolFor),
    outputRoom,
    counter: session.counter,
    signal: session.signal,
    resumed,
  });
  session.state.toolStep = settled.step;
  // The step as settled (a stopped call's output in it) is the one the run's ending closes.
  session.signal.throwIfAborted();
  if (settled.waiting.length > 0) {
    await pauseForClient(session, settled.waiting, runUsage(context.steps));
    return 'paused';
  }
  const usage = transcript.usage;
  const completed = {
    ...endStep(settled.step, { status: 'completed' }),
    usage: usage ? usageOf(usage.prompt, usage.completion) : null,
  };
  await writer.write(() => context.store.runSteps.update(record.projectId, completed));
  writer.emit('thread.run.step.completed', publicStep(completed, record.options.include));
  session.state.toolStep = undefined;
  return 'completed';
}

/** Pauses the run in `requires_action` on the calls the client must answer. */
async function pauseForClient(
  session: RunSession,
  calls: ClientCall[],
  usage: Usage,
): Promise<void> {
  const { writer } = session;
  const waiting: Run = {
    ...writer.run,
    status: 'requires_action',
    required_action: {
      type: 'submit_tool_outputs',
      submit_tool_outputs: {
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      },
    },
    expires_at: nowSeconds() + session.runExpirySeconds,
    usage,
  };
  await writer.transition(waiting, [{ event: 'thread.run.requires_action', data: waiting }]);
}

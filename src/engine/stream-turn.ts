/**
 * Phase: one model call, streamed. Text becomes an assistant message in a message_creation step, tool
 * calls a tool_calls step; both stream their deltas in OpenAI's shapes and order (one message at a
 * time, tool calls one after another with dense indexes). `TurnState` stays readable by the executor
 * so a cancel or failure mid-stream can close what is open.
 */
import { nowSeconds } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import type { Message } from '../domain/message.ts';
import type { RunStep, StepToolCall } from '../domain/run.ts';
import type {
  LanguageModel,
  ModelFinishReason,
  ModelRequest,
  ModelUsage,
} from '../models/language-model.ts';
import type { StepTranscript } from '../domain/run-record.ts';
import type { Store } from '../storage/store.ts';
import type { ServerTool } from '../tools/tool.ts';
import { AnnotatedTextStream } from './annotated-text-stream.ts';
import type { RunSources } from './message-annotations.ts';
import { newAssistantMessage, newStep, textDelta, toolCallDelta, usageOf } from './run-objects.ts';
import type { RunWriter } from './run-writer.ts';
import type { TokenCounter } from './token-counter.ts';
import { TurnReasoning } from './turn-reasoning.ts';

export interface TurnToolCall {
  id: string;
  name: string;
  arguments: string;
  /** The server tool that runs it, or undefined for a client-side function. */
  serverTool: ServerTool | undefined;
}

/** What is open while a turn streams; the executor closes it on cancel or failure. */
export class TurnState {
  message: Message | undefined;
  messageStep: RunStep | undefined;
  toolStep: RunStep | undefined;
  readonly toolCalls: TurnToolCall[] = [];
  /** The open message's text as it streams, with the annotations its deltas carried. */
  textStream: AnnotatedTextStream | undefined;
  /** The turn's reasoning, while it streams. */
  reasoning: TurnReasoning | undefined;

  get text(): string {
    return this.textStream?.text ?? '';
  }
}

export interface TurnResult {
  finishReason: ModelFinishReason;
  usage: { prompt: number; completion: number };
  toolCalls: TurnToolCall[];
  toolStep: RunStep | undefined;
  /** The tool step's transcript, when the turn made tool calls. */
  transcript: StepTranscript | undefined;
}

export interface StreamTurnOptions {
  store: Store;
  writer: RunWriter;
  projectId: string;
  model: LanguageModel;
  request: ModelRequest;
  estimatedPromptTokens: number;
  /** The server tool that answers a tool name; undefined for the client's function tools. */
  toolFor: (name: string) => ServerTool | undefined;
  counter: TokenCounter;
  signal: AbortSignal;
  state: TurnState;
  /** What the run's tools produced: citation targets, linkable files, images for the next message. */
  sources: RunSources;
  /** Tool call ids this run already used; a model that repeats one gets a fresh id (ids must be unique). */
  usedCallIds: Set<string>;
  /** Whether the model's reasoning is stored as run events (`RunOptions.reasoning_events`). */
  keepReasoning?: boolean;
}

export function transcriptOf(
  calls: TurnToolCall[],
  usage: { prompt: number; completion: number },
): StepTranscript {
  return {
    calls: calls.map((call) => ({
      id: call.id,
      name: call.name,
      arguments: call.arguments,
      output: null,
    })),
    usage,
  };
}

async function openMessage(options: StreamTurnOptions): Promise<void> {
  const { writer, store, projectId, state } = options;
  const message = newAssistantMessage(writer.run);
  const step = newStep(writer.run, {
    type: 'message_creation',
    message_creation: { message_id: message.id },
  });
  // One transaction: a worker that dies between the two would leave a message no step points to, which
  // the run's takeover (recover-run.ts) could not find and delete.
  await writer.write(() =>
    store.transaction(async (transaction) => {
      await transaction.messages.insert(projectId, message);
      await transaction.runSteps.insert(projectId, step);
    }),
  );
  state.message = message;
  state.messageStep = step;
  state.textStream = new AnnotatedTextStream(options.sources);
  writer.emit('thread.run.step.created', step);
  writer.emit('thread.run.step.in_progress', step);
  writer.emit('thread.message.created', message);
  writer.emit('thread.message.in_progress', message);
}

/** Completes the open message (or marks it incomplete) and its step. */
export async function closeMessage(
  options: StreamTurnOptions,
  finishReason: ModelFinishReason | undefined,
  usage?: { prompt: number; completion: number },
): Promise<void> {
  const { writer, store, projectId, state } = options;
  if (!state.message || !state.messageStep) return;
  const now = nowSeconds();
  const incompleteReason =
    finishReason === 'length'
      ? 'max_tokens'
      : finishReason === 'content-filter'
        ? 'content_filter'
        : undefined;
  const extra = options.sources.pendingContent;
  const rest = state.textStream?.end();
  if (rest) writer.emit('thread.message.delta', textDelta(state.message.id, rest));
  const message: Message = {
    ...state.message,
    status: incompleteReason ? 'incomplete' : 'completed',
    content: [
      {
        type: 'text',
        text: { value: state.text, annotations: state.textStream?.annotations ?? [] },
      },
      ...extra,
    ],
    completed_at: incompleteReason ? null : now,
    incomplete_at: incompleteReason ? now : null,
    incomplete_details: incompleteReason ? { reason: incompleteReason } : null,
  };
  const step: RunStep = {
    ...state.messageStep,
    status: 'completed',
    completed_at: now,
    usage: usage ? usageOf(usage.prompt, usage.completion) : null,
  };
  await writer.write(async () => {
    await store.messages.update(projectId, message);
    await store.runSteps.update(projectId, step);
  });
  extra.forEach((part, offset) =>
    writer.emit('thread.message.delta', {
      id: message.id,
      object: 'thread.message.delta',
      delta: { content: [{ index: offset + 1, ...part }] },
    }),
  );
  options.sources.pendingContent = [];
  writer.emit(incompleteReason ? 'thread.message.incomplete' : 'thread.message.completed', message);
  writer.emit('thread.run.step.completed', step);
  state.message = undefined;
  state.messageStep = undefined;
  state.textStream = undefined;
}

async function openToolStep(options: StreamTurnOptions): Promise<RunStep> {
  const { writer, store, projectId, state } = options;
  const step = newStep(writer.run, { type: 'tool_calls', tool_calls: [] });
  await writer.write(() => store.runSteps.insert(projectId, step, { calls: [] }));
  state.toolStep = step;
  writer.emit('thread.run.step.created', step);
  writer.emit('thread.run.step.in_progress', step);
  return step;
}

/** The call as the step shows it before it runs. */
export function beginToolCall(call: TurnToolCall): StepToolCall {
  if (call.serverTool) return call.serverTool.begin(call.id, call.name, call.arguments);
  return {
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments, output: null },
  };
}

export async function streamTurn(options: StreamTurnOptions): Promise<TurnResult> {
  const { writer, state, counter } = options;
  // The state outlives a turn (the executor closes what is open on failure); calls belong to one turn.
  state.toolCalls.length = 0;
  const reasoning = new TurnReasoning(writer, options.keepReasoning ?? false);
  state.reasoning = reasoning;
  let finishReason: ModelFinishReason = 'other';
  let reported: ModelUsage = { inputTokens: undefined, outputTokens: undefined };
  let generatedText = '';
  const byId = new Map<string, TurnToolCall>();
  const renamed = new Map<string, string>();
  const callId = (id: string) => renamed.get(id) ?? id;

  for await (const part of options.model.stream(options.request, options.signal)) {
    switch (part.type) {
      case 'reasoning-delta':
        // Reasoning after text starts a new item; a run that keeps no reasoning keeps its message.
        if (reasoning.kept && state.message) await closeMessage(options, 'stop');
        generatedText += part.delta;
        reasoning.push(part.delta);
        break;
      case 'text-delta': {
        reasoning.close();
        if (!state.message) await openMessage(options);
        generatedText += part.delta;
        const released = state.textStream!.push(part.delta);
        if (released) writer.emit('thread.message.delta', textDelta(state.message!.id, released));
        break;
      }
      case 'tool-call-start': {
        reasoning.close();
        if (state.message) await closeMessage(options, 'stop');
        const step = state.toolStep ?? (await openToolStep(options));
        let id = part.toolCallId;
        if (!id || options.usedCallIds.has(id)) {
          id = newId('toolCall');
          renamed.set(part.toolCallId, id);
        }
        options.usedCallIds.add(id);
        const call: TurnToolCall = {
          id,
          name: part.toolName,
          arguments: '',
          serverTool: options.toolFor(part.toolName),
        };
        byId.set(call.id, call);
        state.toolCalls.push(call);
        const index = state.toolCalls.length - 1;
        const begun = beginToolCall(call) as Record<string, unknown>;
        writer.emit('thread.run.step.delta', toolCallDelta(step.id, { index, ...begun }));
        break;
      }
      case 'tool-call-delta': {
        const call = byId.get(callId(part.toolCallId));
        if (!call || !state.toolStep) break;
        call.arguments += part.argumentsDelta;
        if (!call.serverTool) {
          const index = state.toolCalls.indexOf(call);
          writer.emit(
            'thread.run.step.delta',
            toolCallDelta(state.toolStep.id, {
              index,
              type: 'function',
              function: { arguments: part.argumentsDelta },
            }),
          );
        }
        break;
      }
      case 'tool-call-end': {
        const call = byId.get(callId(part.toolCallId));
        if (call) call.arguments = part.arguments;
        break;
      }
      case 'finish':
        finishReason = part.finishReason;
        reported = part.usage;
        break;
    }
  }
  reasoning.close();
  reasoning.tokens(reported.reasoningTokens);
  state.reasoning = undefined;

  const usage = {
    prompt: reported.inputTokens ?? options.estimatedPromptTokens,
    completion:
      reported.outputTokens ??
      counter.count(generatedText) +
        state.toolCalls.reduce((sum, call) => sum + counter.count(call.arguments), 0),
  };
  if (!state.message && state.toolCalls.length === 0) await openMessage(options);
  if (state.message) await closeMessage(options, finishReason, state.toolStep ? undefined : usage);
  const toolStep = state.toolStep;
  if (toolStep) {
    // The step now lists every call with its final arguments; the call's usage waits in the transcript
    // until the step completes (a step in progress shows no usage).
    const updated: RunStep = {
      ...toolStep,
      step_details: { type: 'tool_calls', tool_calls: state.toolCalls.map(beginToolCall) },
    };
    const transcript = transcriptOf(state.toolCalls, usage);
    await writer.write(() => options.store.runSteps.update(options.projectId, updated, transcript));
    state.toolStep = updated;
    return { finishReason, usage, toolCalls: [...state.toolCalls], toolStep: updated, transcript };
  }
  return { finishReason, usage, toolCalls: [], toolStep: undefined, transcript: undefined };
}

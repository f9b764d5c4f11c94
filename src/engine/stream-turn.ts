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
  ModelStreamPart,
  ModelUsage,
} from '../models/language-model.ts';
import type { StepTranscript, TranscriptReasoning } from '../domain/run-record.ts';
import type { RunEventName } from '../domain/run-event.ts';
import type { RunObjectWrites } from '../storage/ports/runs-port.ts';
import type { Store } from '../storage/store.ts';
import type { ServerTool } from '../tools/tool.ts';
import { AnnotatedTextStream } from './annotated-text-stream.ts';
import type { RunSources } from './message-annotations.ts';
import {
  newMessageOpening,
  newStep,
  textDelta,
  toolCallDelta,
  usageOf,
  type MessageOpening,
} from './run-objects.ts';
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

  /** Forgets the open message and its step, once they are closed. */
  messageClosed(): void {
    this.message = undefined;
    this.messageStep = undefined;
    this.textStream = undefined;
  }
}

/**
 * What closes the open message: its completion (or `incomplete`) and its step's, the writes and the
 * events that announce them, in order. The caller stores both in one write: alone, or with the run's
 * final status when the message is the run's answer.
 */
export interface MessageClosing {
  message: Message;
  step: RunStep;
  writes: RunObjectWrites;
  events: Array<{ event: RunEventName; data: unknown }>;
}

export interface TurnResult {
  finishReason: ModelFinishReason;
  usage: { prompt: number; completion: number };
  toolCalls: TurnToolCall[];
  toolStep: RunStep | undefined;
  /** The tool step's transcript, when the turn made tool calls. */
  transcript: StepTranscript | undefined;
  /** When the turn answered (no tool calls): its message, still open, and what closes it. */
  closing: MessageClosing | undefined;
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
  /** The parts of a call already started with `request` (started-model-call.ts); else it is made here. */
  parts?: AsyncIterable<ModelStreamPart>;
}

export function transcriptOf(
  calls: TurnToolCall[],
  usage: { prompt: number; completion: number },
  reasoning: TranscriptReasoning[] = [],
): StepTranscript {
  return {
    calls: calls.map((call) => ({
      id: call.id,
      name: call.name,
      arguments: call.arguments,
      output: null,
    })),
    usage,
    ...(reasoning.length ? { reasoning } : {}),
  };
}

/**
 * Opens the turn's message with its step, announced with the message's first text: one transaction
 * stores them and the events. A worker that dies before it commits leaves no message that no step
 * points to, which the run's takeover (recover-run.ts) could not find and delete. `prepared`, when
 * built in this second, is used as is.
 */
async function openMessage(
  options: StreamTurnOptions,
  firstText: string,
  prepared?: MessageOpening,
): Promise<void> {
  const { writer, state } = options;
  const opening =
    prepared && prepared.message.created_at === nowSeconds()
      ? prepared
      : newMessageOpening(writer.run);
  const { message, step } = opening;
  const textStream = new AnnotatedTextStream(options.sources);
  const released = textStream.push(firstText);
  await writer.commit({ insertMessages: [message], insertSteps: [step] }, [
    { event: 'thread.run.step.created', data: opening.stepJson },
    { event: 'thread.run.step.in_progress', data: opening.stepJson },
    { event: 'thread.message.created', data: opening.messageJson },
    { event: 'thread.message.in_progress', data: opening.messageJson },
    ...(released
      ? [{ event: 'thread.message.delta' as const, data: textDelta(message.id, released) }]
      : []),
  ]);
  state.message = message;
  state.messageStep = step;
  state.textStream = textStream;
}

/** What completes the open message (or marks it incomplete) and its step; undefined when none is open. */
export function messageClosing(
  options: StreamTurnOptions,
  finishReason: ModelFinishReason | undefined,
  usage?: { prompt: number; completion: number },
): MessageClosing | undefined {
  const { state } = options;
  if (!state.message || !state.messageStep) return undefined;
  const now = nowSeconds();
  const incompleteReason =
    finishReason === 'length'
      ? 'max_tokens'
      : finishReason === 'content-filter'
        ? 'content_filter'
        : undefined;
  const extra = options.sources.pendingContent;
  options.sources.pendingContent = [];
  const rest = state.textStream?.end();
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
  return {
    message,
    step,
    writes: { updateMessages: [message], updateSteps: [step] },
    events: [
      // What was held back goes out first, so the deltas add up to the stored message.
      ...(rest
        ? [{ event: 'thread.message.delta' as const, data: textDelta(message.id, rest) }]
        : []),
      ...extra.map((part, offset) => ({
        event: 'thread.message.delta' as const,
        data: {
          id: message.id,
          object: 'thread.message.delta',
          delta: { content: [{ index: offset + 1, ...part }] },
        },
      })),
      {
        event: incompleteReason ? 'thread.message.incomplete' : 'thread.message.completed',
        data: message,
      },
      { event: 'thread.run.step.completed', data: step },
    ],
  };
}

/** Completes the open message (or marks it incomplete) and its step, in one transaction. */
export async function closeMessage(
  options: StreamTurnOptions,
  finishReason: ModelFinishReason | undefined,
  usage?: { prompt: number; completion: number },
): Promise<void> {
  const closing = messageClosing(options, finishReason, usage);
  if (!closing) return;
  await options.writer.commit(closing.writes, closing.events);
  options.state.messageClosed();
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
  // Built while the model has not answered yet: most turns open a message with their first part.
  let opening = state.message ? undefined : newMessageOpening(writer.run);

  for await (const part of options.parts ?? options.model.stream(options.request, options.signal)) {
    switch (part.type) {
      case 'reasoning-delta':
        // Reasoning after text starts a new item; a run that keeps no reasoning keeps its message.
        if (reasoning.kept && state.message) await closeMessage(options, 'stop');
        generatedText += part.delta;
        reasoning.push(part.delta);
        break;
      case 'reasoning-signature':
        reasoning.sign(part.signature);
        break;
      case 'text-delta': {
        reasoning.close();
        generatedText += part.delta;
        if (!state.message) {
          await openMessage(options, part.delta, opening);
          opening = undefined;
          break;
        }
        const released = state.textStream!.push(part.delta);
        if (released) writer.emit('thread.message.delta', textDelta(state.message.id, released));
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
  if (!state.message && state.toolCalls.length === 0) await openMessage(options, '', opening);
  const toolStep = state.toolStep;
  // An answer's message closes with the run's end, in its transaction (the caller's).
  if (!toolStep) {
    const closing = messageClosing(options, finishReason, usage);
    return {
      finishReason,
      usage,
      toolCalls: [],
      toolStep: undefined,
      transcript: undefined,
      closing,
    };
  }
  if (state.message) await closeMessage(options, finishReason);
  // The step now lists every call with its final arguments; the call's usage waits in the transcript
  // until the step completes (a step in progress shows no usage).
  const updated: RunStep = {
    ...toolStep,
    step_details: { type: 'tool_calls', tool_calls: state.toolCalls.map(beginToolCall) },
  };
  const transcript = transcriptOf(state.toolCalls, usage, reasoning.blocks);
  await writer.write(() => options.store.runSteps.update(options.projectId, updated, transcript));
  state.toolStep = updated;
  return {
    finishReason,
    usage,
    toolCalls: [...state.toolCalls],
    toolStep: updated,
    transcript,
    closing: undefined,
  };
}

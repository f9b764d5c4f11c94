/**
 * The run loop: a short orchestrator over the phases. It starts (or takes over) a claimed run, then
 * repeats build request → stream a turn → run server tools, until the model answers, asks the client
 * for tool outputs (requires_action), or the run ends early (cancel, failure, budget).
 */
import type { ToolResources } from '../domain/assistant.ts';
import { nowSeconds } from '../domain/clock.ts';
import type { Message } from '../domain/message.ts';
import type { Run, RunStep, Usage } from '../domain/run.ts';
import { ModelCallError, type ModelResolver, type ModelTool } from '../models/language-model.ts';
import type { RunRecord, StepTranscript } from '../domain/run-record.ts';
import type { Store } from '../storage/store.ts';
import type { ServerTool } from '../tools/tool.ts';
import { ToolUnavailableError } from '../tools/tool-unavailable-error.ts';
import { unknownTool } from './unknown-tool.ts';
import {
  buildModelRequest,
  toolOutputRoom,
  type BuildRequestInput,
  type ImageLoader,
} from './build-model-request.ts';
import type { EventBus } from './event-bus.ts';
import type { EventSink } from './event-sink.ts';
import { endRun, endStep, type Ending } from './finish-run.ts';
import { recoverInterruptedSteps } from './recover-run.ts';
import { RunFailure } from './run-failure.ts';
import { publicStep, usageOf } from './run-objects.ts';
import { countSources, isResumable, settleToolStep, type ClientCall } from './run-tools.ts';
import { runUsage, usedTokens } from './run-usage.ts';
import { RunOwnershipLostError, RunWriter } from './run-writer.ts';
import { CancelRequested, HandBack } from './stop-reasons.ts';
import { collectRunSources } from './message-annotations.ts';
import { streamTurn, TurnState } from './stream-turn.ts';
import type { TokenCounter } from './token-counter.ts';

type RunSteps = Awaited<ReturnType<Store['runSteps']['listAll']>>;

/** More turns than any sensible tool loop needs; a model stuck calling tools is stopped here. */
const MAX_TURNS = 50;

export interface RunLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface ExecutorDependencies {
  store: Store;
  bus: EventBus;
  /** Batches the run events of every run this worker executes. */
  sink: EventSink;
  models: ModelResolver;
  serverTools: ServerTool[];
  counter: TokenCounter;
  loadImage: ImageLoader;
  /** The tool resources a run may use (run override, else thread and assistant merged). */
  toolResources(record: RunRecord): Promise<ToolResources>;
  runExpirySeconds: number;
  workerId: string;
  log: RunLogger;
}

/** The tools the model is offered, and which server tool answers each name (undefined: the client's function). */
async function offeredTools(
  dependencies: ExecutorDependencies,
  record: RunRecord,
  toolResources: ToolResources,
) {
  const tools: ModelTool[] = [];
  const byName = new Map<string, ServerTool>();
  for (const tool of record.run.tools) {
    if (tool.type === 'function') {
      tools.push({
        name: tool.function.name,
        ...(tool.function.description !== undefined
          ? { description: tool.function.description }
          : {}),
        parameters: tool.function.parameters ?? { type: 'object', properties: {} },
        ...(tool.function.strict != null ? { strict: tool.function.strict } : {}),
      });
      continue;
    }
    const server = dependencies.serverTools.find((candidate) => candidate.type === tool.type);
    if (!server)
      throw new RunFailure(`The ${tool.type} tool is not available on this server.`, {
        status: 'failed',
        code: 'server_error',
      });
    for (const offered of await server.modelTools(tool, {
      projectId: record.projectId,
      run: record.run,
      options: record.options,
      toolResources,
    })) {
      tools.push(offered);
      byName.set(offered.name, server);
    }
  }
  const functions = new Set(
    record.run.tools.flatMap((tool) => (tool.type === 'function' ? [tool.function.name] : [])),
  );
  const toolFor = (name: string): ServerTool | undefined =>
    functions.has(name) ? undefined : (byName.get(name) ?? unknownTool);
  return { tools, toolFor };
}

function endingFor(error: unknown, signal: AbortSignal): Ending | undefined {
  if (signal.aborted && signal.reason instanceof CancelRequested) return { status: 'cancelled' };
  if (signal.aborted && signal.reason instanceof HandBack) return undefined;
  if (error instanceof RunFailure) {
    return error.outcome.status === 'failed'
      ? { status: 'failed', code: error.outcome.code, message: error.message }
      : { status: 'incomplete', reason: error.outcome.reason };
  }
  if (error instanceof ModelCallError)
    return { status: 'failed', code: error.code, message: error.message };
  if (error instanceof ToolUnavailableError)
    return { status: 'failed', code: 'server_error', message: error.message };
  return {
    status: 'failed',
    code: 'server_error',
    message: 'The server had an error while running this run.',
  };
}

/** Pauses the run in `requires_action` on the calls the client must answer. */
async function pauseForClient(
  dependencies: ExecutorDependencies,
  writer: RunWriter,
  calls: ClientCall[],
  usage: Usage,
): Promise<void> {
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
    expires_at: nowSeconds() + dependencies.runExpirySeconds,
    usage,
  };
  await writer.transition(waiting, [{ event: 'thread.run.requires_action', data: waiting }]);
}

/**
 * Executes a run this worker has claimed, until it ends, pauses, or is handed back. `lastSeq` is the
 * run's last stored event when the caller knows it (a run handed off at insert).
 */
export async function executeRun(
  dependencies: ExecutorDependencies,
  record: RunRecord,
  signal: AbortSignal,
  lastSeq?: number,
): Promise<void> {
  const { store, projectId } = { store: dependencies.store, projectId: record.projectId };
  const writer = new RunWriter({
    store,
    bus: dependencies.bus,
    sink: dependencies.sink,
    projectId,
    workerId: dependencies.workerId,
    run: record.run,
    lastSeq: lastSeq ?? (await store.runEvents.lastSeq(record.run.id)),
  });
  const state = new TurnState();
  // A run that never started (queued, no started_at) has no steps yet: nothing to read back before
  // the first model call. A run queued again after tool outputs has steps, and started.
  const fresh = record.run.status === 'queued' && record.run.started_at === null;
  try {
    if (writer.run.status === 'cancelling') throw new CancelRequested();
    if (writer.run.status === 'queued') {
      const started: Run = {
        ...writer.run,
        status: 'in_progress',
        started_at: writer.run.started_at ?? nowSeconds(),
      };
      await writer.transition(started, [{ event: 'thread.run.in_progress', data: started }]);
    } else {
      await recoverInterruptedSteps(store, writer, projectId);
    }
    const toolResources = await dependencies.toolResources(record);
    const resolved = dependencies.models.resolve(writer.run.model);
    const { tools, toolFor } = await offeredTools(dependencies, record, toolResources);
    const requestInput = (steps: RunSteps, messages: Message[]): BuildRequestInput => ({
      projectId,
      run: writer.run,
      modelId: resolved.modelId,
      capabilities: resolved.capabilities,
      messages,
      steps,
      tools,
      reasoningEffort: record.options.reasoning_effort,
      used: usedTokens(steps),
      counter: dependencies.counter,
      loadImage: dependencies.loadImage,
    });
    const settle = async (step: RunStep, transcript: StepTranscript) => {
      const steps = await store.runSteps.listAll(projectId, writer.run.id);
      const outputRoom = toolOutputRoom(
        {
          ...requestInput(steps, await store.messages.listAll(projectId, writer.run.thread_id)),
          used: usedTokens([
            ...steps.filter((entry) => entry.step.id !== step.id),
            { step, transcript },
          ]),
        },
        transcript,
      );
      const settled = await settleToolStep({
        store,
        writer,
        projectId,
        options: record.options,
        toolResources,
        toolFor,
        step,
        transcript,
        sourceOffset: countSources(
          steps.filter((entry) => entry.step.id !== step.id).map((entry) => entry.step),
        ),
        outputRoom,
        counter: dependencies.counter,
        signal,
      });
      state.toolStep = settled.step;
      if (settled.waiting.length > 0) {
        await pauseForClient(
          dependencies,
          writer,
          settled.waiting,
          runUsage(await store.runSteps.listAll(projectId, writer.run.id)),
        );
        return 'paused' as const;
      }
      const usage = transcript.usage;
      const completed = {
        ...endStep(settled.step, { status: 'completed' }),
        usage: usage ? usageOf(usage.prompt, usage.completion) : null,
      };
      await writer.write(() => store.runSteps.update(projectId, completed));
      writer.emit('thread.run.step.completed', publicStep(completed, record.options.include));
      state.toolStep = undefined;
      return 'completed' as const;
    };

    // A step whose approvals the client answered continues where it paused.
    let knownSteps: Awaited<ReturnType<typeof store.runSteps.listAll>> | undefined = fresh
      ? []
      : await store.runSteps.listAll(projectId, writer.run.id);
    const pending = knownSteps.find(
      ({ step, transcript }) => step.status === 'in_progress' && isResumable(transcript),
    );
    if (pending) {
      knownSteps = undefined;
      if ((await settle(pending.step, pending.transcript!)) === 'paused') return;
    }
    // Taken over after the answer was written but before the run ended: end it, without a second
    // answer. (With max_completion_tokens the ending depends on the finish reason; that run repeats
    // its turn, as before.)
    const last = knownSteps?.at(-1)?.step;
    if (
      last?.type === 'message_creation' &&
      last.status === 'completed' &&
      writer.run.max_completion_tokens === null
    ) {
      await endRun(
        store,
        writer,
        projectId,
        state,
        { status: 'completed' },
        runUsage(knownSteps!),
        record.options.include,
      );
      return;
    }

    for (let turn = 0; turn < MAX_TURNS; turn++) {
      signal.throwIfAborted();
      const steps = knownSteps ?? (await store.runSteps.listAll(projectId, writer.run.id));
      knownSteps = undefined;
      const built = await buildModelRequest(
        requestInput(steps, await store.messages.listAll(projectId, writer.run.thread_id)),
      );
      const result = await streamTurn({
        store,
        writer,
        projectId,
        model: resolved.model,
        request: built.request,
        estimatedPromptTokens: built.estimatedPromptTokens,
        toolFor,
        counter: dependencies.counter,
        signal,
        state,
        sources: collectRunSources(steps),
        usedCallIds: new Set(
          steps.flatMap(
            ({ transcript }) =>
              transcript?.calls.flatMap((call) => [
                call.id,
                ...(call.approval ? [call.approval.callId] : []),
              ]) ?? [],
          ),
        ),
      });

      if (!result.toolStep || !result.transcript) {
        const capped =
          result.finishReason === 'length' && writer.run.max_completion_tokens !== null;
        const ending: Ending = capped
          ? { status: 'incomplete', reason: 'max_completion_tokens' }
          : { status: 'completed' };
        await endRun(
          store,
          writer,
          projectId,
          state,
          ending,
          runUsage(await store.runSteps.listAll(projectId, writer.run.id)),
          record.options.include,
        );
        return;
      }
      if ((await settle(result.toolStep, result.transcript)) === 'paused') return;
    }
    throw new RunFailure(`The run stopped after ${MAX_TURNS} model turns without an answer.`, {
      status: 'failed',
      code: 'server_error',
    });
  } catch (error) {
    let ending = endingFor(error, signal);
    if (error instanceof RunOwnershipLostError) {
      // Another node changed the run: only a cancel request leaves it ours to finish.
      const current = await writer.refresh().catch(() => undefined);
      if (current?.status !== 'cancelling') return;
      ending = { status: 'cancelled' };
    }
    if (!ending) {
      await writer.flush().catch(() => {});
      return;
    }
    if (
      ending.status === 'failed' &&
      !(error instanceof RunFailure) &&
      !(error instanceof ModelCallError)
    ) {
      dependencies.log.error(
        { err: error, runId: record.run.id },
        'run failed with an unexpected error',
      );
    }
    try {
      await endRun(
        store,
        writer,
        projectId,
        state,
        ending,
        runUsage(await store.runSteps.listAll(projectId, writer.run.id)),
        record.options.include,
      );
    } catch (endError) {
      if (!(endError instanceof RunOwnershipLostError))
        dependencies.log.error({ err: endError, runId: record.run.id }, 'could not end the run');
    }
  }
}

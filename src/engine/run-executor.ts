/**
 * The run loop: a short orchestrator over the phases, each in its own module. It starts (or takes
 * over) a claimed run, then repeats build request → stream a turn → settle tools, until the model
 * answers, asks the client for tool outputs (requires_action), or the run ends early (cancel, failure,
 * budget). The run's context is built once per turn: its steps are held in memory, the thread's
 * messages read once per model turn.
 */
import type { ToolResources } from '../domain/assistant.ts';
import type { Run } from '../domain/run.ts';
import { isTerminal } from '../domain/run-status.ts';
import type { ModelResolver } from '../models/language-model.ts';
import type { RunRecord } from '../domain/run-record.ts';
import type { HandedRun } from './run-hand-off.ts';
import type { RunHistory } from './run-hooks.ts';
import type { Store } from '../storage/store.ts';
import type { ServerTool } from '../tools/tool.ts';
import { buildModelRequest, type BuiltRequest, type ImageLoader } from './build-model-request.ts';
import type { EventBus } from './event-bus.ts';
import type { EventSink } from './event-sink.ts';
import { answerEnding, endAfterError, endRun } from './finish-run.ts';
import { collectRunSources } from './message-annotations.ts';
import { offeredTools } from './offered-tools.ts';
import { resumeRun, startRun } from './recover-run.ts';
import { CancelRequested } from './stop-reasons.ts';
import { RunContext } from './run-context.ts';
import { RunFailure } from './run-failure.ts';
import { requestInput, type RunSession } from './run-session.ts';
import { settleTools } from './run-tools.ts';
import type { RunLimits } from './run-limits.ts';
import { modelRequests, runUsage, usedTokens } from './run-usage.ts';
import { RunWriter } from './run-writer.ts';
import { describeRunOutcome, inRunSpan } from './run-span.ts';
import type { Span } from '../telemetry/tracer.ts';
import { startModelCall, yieldToIo, type StartedModelCall } from './started-model-call.ts';
import { streamTurn, TurnState, type StreamTurnOptions } from './stream-turn.ts';
import type { TokenCounter } from './token-counter.ts';

const NO_TOOL_RESOURCES: ToolResources = {
  code_interpreter: { file_ids: [] },
  file_search: { vector_store_ids: [] },
};

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
  /** The history of runs whose options say it is not their thread's (responses). */
  history?: RunHistory;
  /** The tool resources a run may use (run override, else thread and assistant merged). */
  toolResources(record: RunRecord): Promise<ToolResources>;
  runExpirySeconds: number;
  /** Tokens per day of the run's project and key: checked before each turn, counted at the end. */
  limits?: RunLimits;
  workerId: string;
  log: RunLogger;
}

/**
 * Executes a run this worker has claimed, until it ends, pauses, or is handed back. `handed` is what
 * the caller knows of the run when it was handed off at insert (its last seq, maybe its messages).
 * Resolves to true when the run ended here: its final status write also ended the lease, so the
 * caller need not.
 */
export function executeRun(
  dependencies: ExecutorDependencies,
  record: RunRecord,
  signal: AbortSignal,
  handed?: HandedRun,
): Promise<boolean> {
  return inRunSpan(record, (span) => executeInSpan(dependencies, record, signal, span, handed));
}

async function executeInSpan(
  dependencies: ExecutorDependencies,
  record: RunRecord,
  signal: AbortSignal,
  span: Span,
  handed: HandedRun | undefined,
): Promise<boolean> {
  const { store, projectId } = { store: dependencies.store, projectId: record.projectId };
  const { limits } = dependencies;
  const apiKeyId = record.options.api_key_id ?? null;
  const context = await RunContext.load(store, record, handed?.messages);
  const writer = new RunWriter({
    store: context.store,
    bus: dependencies.bus,
    sink: dependencies.sink,
    projectId,
    workerId: dependencies.workerId,
    run: record.run,
    lastSeq: handed?.lastSeq ?? (await store.runEvents.lastSeq(record.run.id)),
    usage: {
      apiKeyId: record.options.api_key_id ?? null,
      modelRequests: () => modelRequests(context.steps),
      ...(limits && {
        tokenCounter: async () =>
          (await limits.countsTokens(projectId, apiKeyId))
            ? (transaction: Store, tokens: number) =>
                limits.recordTokens(transaction, projectId, apiKeyId, tokens)
            : undefined,
      }),
    },
  });
  const state = new TurnState();
  await dependencies.counter.ready?.();
  await runTurns(dependencies, record, signal, { writer, context, state, span });
  return isTerminal(writer.run.status);
}

/** The turns of a started run, and its ending (or pause, or hand-back) whatever stops them. */
async function runTurns(
  dependencies: ExecutorDependencies,
  record: RunRecord,
  signal: AbortSignal,
  parts: { writer: RunWriter; context: RunContext; state: TurnState; span: Span },
): Promise<void> {
  const { writer, context, state, span } = parts;
  const projectId = record.projectId;
  try {
    const started = { context, writer, state, signal };
    // A new run sends its first model request before its `in_progress` commit (started-model-call.ts).
    let first = isNew(writer.run) ? await startNewRun(dependencies, record, started) : undefined;
    let session = first?.session;
    if (!session) {
      await startRun(context, writer);
      session = await openSession(dependencies, record, started);
      if ((await resumeRun(session)) === 'done') return;
    }
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      signal.throwIfAborted();
      const call = first?.call;
      first = undefined;
      const result = await streamTurn(
        call ? { ...call.options, parts: call.parts } : await prepareTurn(dependencies, session),
      );
      if (!result.toolStep || !result.transcript) {
        const ending = answerEnding(result.finishReason, writer.run);
        // The answer's step is written with the run's end; its usage counts in what that records.
        if (result.closing) context.stage(result.closing.step);
        const usage = runUsage(context.steps);
        await endRun(
          writer,
          projectId,
          state,
          ending,
          usage,
          record.options.include,
          result.closing,
        );
        return;
      }
      if ((await settleTools(session, result.toolStep, result.transcript)) === 'paused') return;
    }
    throw new RunFailure(`The run stopped after ${MAX_TURNS} model turns without an answer.`, {
      status: 'failed',
      code: 'server_error',
    });
  } catch (error) {
    await endAfterError(
      {
        writer,
        projectId,
        state,
        signal,
        include: record.options.include,
        usage: () => runUsage(context.steps),
        log: dependencies.log,
      },
      error,
    );
  } finally {
    describeRunOutcome(span, writer.run);
  }
}

/** A run that never started: no steps, nothing to recover. */
function isNew(run: Run): boolean {
  return run.status === 'queued' && run.started_at === null;
}

/** Reads what the next model turn is built from, and builds it. */
async function prepareTurn(
  dependencies: ExecutorDependencies,
  session: RunSession,
): Promise<StreamTurnOptions> {
  const { context, record } = session;
  const { store, limits } = dependencies;
  await context.readMessages();
  if (record.options.history === 'external') {
    if (!dependencies.history) throw new Error('This worker has no RunHistory port.');
    context.history = await dependencies.history.read(record);
  }
  if (limits) {
    const used = usedTokens(context.steps);
    const apiKeyId = record.options.api_key_id ?? null;
    await limits.checkTokens(store, record.projectId, apiKeyId, used.prompt + used.completion);
  }
  return turnOptions(session, await buildModelRequest(requestInput(session)));
}

/**
 * Starts a new run with its first model call already sent: the session and the turn are prepared,
 * the request leaves, and `in_progress` is committed while the model works. The commit comes first
 * in the run's events (the turn's parts are read after it); if it fails (the run was cancelled or
 * is no longer this worker's) the call is aborted. A failure preparing the turn is raised after the
 * commit, as it was when the run started first.
 */
async function startNewRun(
  dependencies: ExecutorDependencies,
  record: RunRecord,
  parts: Pick<RunSession, 'context' | 'writer' | 'state' | 'signal'>,
): Promise<{ session: RunSession; call?: { options: StreamTurnOptions } & StartedModelCall }> {
  const { context, writer, signal } = parts;
  if (writer.run.status === 'cancelling') throw new CancelRequested();
  let prepared: { session: RunSession; options: StreamTurnOptions } | undefined;
  let failure: unknown;
  try {
    // The model sees the run as it will be once started (its status is not part of the request).
    const session = await openSession(dependencies, record, parts);
    prepared = { session, options: await prepareTurn(dependencies, session) };
  } catch (error) {
    failure = error;
  }
  const call = prepared && startModelCall(prepared.options.model, prepared.options.request, signal);
  if (call) await yieldToIo();
  try {
    await startRun(context, writer);
  } catch (error) {
    call?.abort(error);
    throw error;
  }
  if (!prepared) throw failure;
  return { session: prepared.session, call: call && { options: prepared.options, ...call } };
}

/** The session of a started run: its tool resources, its model, and the tools offered to it. */
async function openSession(
  dependencies: ExecutorDependencies,
  record: RunRecord,
  started: Pick<RunSession, 'context' | 'writer' | 'state' | 'signal'>,
): Promise<RunSession> {
  // Only server tools read tool resources (files, vector stores): a run with function tools or none
  // reads neither its thread nor its assistant for them.
  const toolResources = record.run.tools.some((tool) => tool.type !== 'function')
    ? await dependencies.toolResources(record)
    : NO_TOOL_RESOURCES;
  const model = dependencies.models.resolve(started.writer.run.model);
  const offered = await offeredTools(dependencies.serverTools, record, toolResources);
  return {
    ...started,
    record,
    model,
    tools: offered.tools,
    toolFor: offered.toolFor,
    toolResources,
    counter: dependencies.counter,
    loadImage: dependencies.loadImage,
    runExpirySeconds: dependencies.runExpirySeconds,
  };
}

/** What a model turn streams with: the built request, and what the run's earlier turns produced. */
function turnOptions(session: RunSession, built: BuiltRequest): StreamTurnOptions {
  const { context } = session;
  return {
    store: context.store,
    writer: session.writer,
    projectId: session.record.projectId,
    model: session.model.model,
    request: built.request,
    estimatedPromptTokens: built.estimatedPromptTokens,
    toolFor: session.toolFor,
    counter: session.counter,
    signal: session.signal,
    state: session.state,
    sources: collectRunSources(context.steps),
    keepReasoning: session.record.options.reasoning_events === true,
    usedCallIds: new Set(
      context.steps.flatMap(
        ({ transcript }) =>
          transcript?.calls.flatMap((call) => [
            call.id,
            ...(call.approval ? [call.approval.callId] : []),
          ]) ?? [],
      ),
    ),
  };
}

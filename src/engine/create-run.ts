/**
 * Creating a run: the Run object from an assistant and the caller's parameters, and its insertion with
 * its first events (the queued row is the whole hand-off to the workers). Used by `runs-engine.ts`.
 */
import type { Assistant, AssistantTool, Metadata, ResponseFormat } from '../domain/assistant.ts';
import { nowSeconds } from '../domain/clock.ts';
import { InvalidRequestError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Message } from '../domain/message.ts';
import type { Run, RunOptions, ToolChoice } from '../domain/run.ts';
import type { RunEvent } from '../domain/run-event.ts';
import type { NewRunEvent, RunRecord } from '../domain/run-record.ts';
import {
  ActiveRunConflictError,
  type Announcement,
  type RunCreationWrites,
} from '../storage/ports/runs-port.ts';
import type { Store } from '../storage/store.ts';
import type { EventBus } from './event-bus.ts';
import type { RunHandOff } from './run-hand-off.ts';
import { LiveRunEvents, type RunFollow } from './run-event-stream.ts';
import { yieldToIo } from './started-model-call.ts';
import { currentTraceContext } from '../telemetry/trace-propagation.ts';

/** The run fields a caller may set; unset ones come from the assistant or OpenAI's defaults. */
export interface RunParams {
  model?: string | null | undefined;
  instructions?: string | null | undefined;
  tools?: AssistantTool[] | null | undefined;
  metadata?: Metadata | null | undefined;
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  max_prompt_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
  truncation_strategy?:
    | { type: 'auto' | 'last_messages'; last_messages?: number | null | undefined }
    | null
    | undefined;
  tool_choice?: ToolChoice | null | undefined;
  parallel_tool_calls?: boolean | undefined;
  response_format?: ResponseFormat | null | undefined;
}

function checkToolChoice(run: Pick<Run, 'tools' | 'tool_choice'>): void {
  const choice = run.tool_choice;
  if (typeof choice === 'string') return;
  const present = (tool: AssistantTool) =>
    choice.type === 'function'
      ? tool.type === 'function' && tool.function.name === choice.function.name
      : tool.type === choice.type;
  if (!run.tools.some(present)) {
    const name =
      choice.type === 'function' ? `function '${choice.function.name}'` : `'${choice.type}'`;
    throw new InvalidRequestError(
      `Invalid 'tool_choice': ${name} is not one of the run's tools.`,
      'tool_choice',
    );
  }
}

/**
 * Checks the caller's settings against the assistant now (a bad `tool_choice` is refused before
 * anything is stored) and returns the constructor of the run, called once its thread is known.
 */
export function planRun(
  assistant: Assistant,
  params: RunParams,
  runExpirySeconds: number,
  additionalInstructions?: string | null,
): (threadId: string) => Run {
  const base = params.instructions ?? assistant.instructions ?? '';
  const settings = {
    assistant_id: assistant.id,
    model: params.model ?? assistant.model,
    instructions: additionalInstructions
      ? base
        ? `${base}\n\n${additionalInstructions}`
        : additionalInstructions
      : base,
    tools: params.tools ?? assistant.tools,
    metadata: params.metadata ?? {},
    temperature: params.temperature ?? assistant.temperature ?? 1,
    top_p: params.top_p ?? assistant.top_p ?? 1,
    max_prompt_tokens: params.max_prompt_tokens ?? null,
    max_completion_tokens: params.max_completion_tokens ?? null,
    truncation_strategy: params.truncation_strategy
      ? {
          type: params.truncation_strategy.type,
          last_messages: params.truncation_strategy.last_messages ?? null,
        }
      : { type: 'auto' as const, last_messages: null },
    tool_choice: params.tool_choice ?? 'auto',
    parallel_tool_calls: params.parallel_tool_calls ?? true,
    response_format: params.response_format ?? assistant.response_format ?? 'auto',
  } satisfies Partial<Run>;
  checkToolChoice(settings);
  return (threadId) => {
    const createdAt = nowSeconds();
    // OpenAI's field order, as clients print it.
    return {
      id: newId('run'),
      object: 'thread.run',
      created_at: createdAt,
      thread_id: threadId,
      assistant_id: settings.assistant_id,
      status: 'queued',
      required_action: null,
      last_error: null,
      expires_at: createdAt + runExpirySeconds,
      started_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: null,
      incomplete_details: null,
      model: settings.model,
      instructions: settings.instructions,
      tools: settings.tools,
      metadata: settings.metadata,
      usage: null,
      temperature: settings.temperature,
      top_p: settings.top_p,
      max_prompt_tokens: settings.max_prompt_tokens,
      max_completion_tokens: settings.max_completion_tokens,
      truncation_strategy: settings.truncation_strategy,
      tool_choice: settings.tool_choice,
      parallel_tool_calls: settings.parallel_tool_calls,
      response_format: settings.response_format,
    };
  };
}

function runEvents(run: Run): NewRunEvent[] {
  const data = JSON.stringify(run);
  return [
    { runId: run.id, event: 'thread.run.created', data },
    { runId: run.id, event: 'thread.run.queued', data },
  ];
}

/**
 * Inserts a run with its first events in one transaction. `build` runs inside it: it makes the checks
 * and stores what must come first, and returns the run with any events that lead it
 * (`thread.created`), the rows the run's insert stores with it (`created`: a new thread, messages), and
 * the thread's messages when it created the thread (handed to this process's worker, which then does
 * not read them back). With `buildsAlone` (`build` uses no transaction) and a store whose run insert
 * is atomic on its own (PostgreSQL: one statement), there is no transaction: all or nothing still. The one-active-run rule maps to OpenAI's 400. With
 * `follow`, the run's later events are subscribed to before anything can publish them, for a stream
 * that then reads nothing back (the caller must read or close `follow.live`).
 */
export async function insertRun(
  store: Store,
  bus: EventBus,
  projectId: string,
  options: RunOptions,
  build: (transaction: Store) => Promise<{
    run: Run;
    leading?: NewRunEvent[];
    messages?: Message[];
    /** The new thread and messages to store with the run (in its insert). */
    created?: RunCreationWrites;
  }>,
  handOff?: RunHandOff,
  follow = false,
  /** `build` neither reads nor writes in the transaction: the insert may go without one. */
  buildsAlone = false,
): Promise<{ run: Run; events: RunEvent[]; follow?: RunFollow }> {
  await handOff?.setupTurn();
  const reservation = handOff?.reserve();
  // The creating request's trace goes with the run to whichever worker executes it.
  const traceContext = currentTraceContext();
  const runOptions = traceContext ? { ...options, trace_context: traceContext } : options;
  let threadId: string | undefined;
  let announcement: Announcement | undefined;
  const create = async (transaction: Store) => {
    const built = await build(transaction);
    const { run, leading = [] } = built;
    threadId = run.thread_id;
    const stored: RunRecord = {
      projectId,
      run,
      options: runOptions,
      lockedBy: reservation?.workerId ?? null,
      leaseUntil: reservation?.leaseUntil ?? null,
    };
    const events = [...leading, ...runEvents(run)];
    // The workers' wake-up, announced by the insert itself where it can (PostgreSQL). The new run's
    // events go to this process's subscribers only: no other process can follow a run before its
    // creation returns its id, and a stream that starts after reads the events it missed from the
    // table (subscribed first, then reading: see run-event-stream.ts).
    announcement = bus.announcement?.([], !reservation);
    const appended = await transaction.runs.insert(stored, events, built.created, announcement);
    return { record: stored, events: appended, messages: built.messages };
  };
  try {
    // Without a step that needs the transaction, an insert that is atomic on its own (PostgreSQL's
    // one statement) stores the thread, messages, run and events without one.
    const { record, events, messages } =
      buildsAlone && store.runs.insertIsAtomic
        ? await create(store)
        : await store.transaction(create);
    bus.publish(events, announcement);
    // Before the worker is told: from here on, only it publishes this run's events.
    const live = follow ? new LiveRunEvents(bus, record.run.id) : undefined;
    if (reservation) {
      reservation.adopt(record, { lastSeq: events.at(-1)!.seq, messages });
      // The worker starts the run at once: on SQLite its model request is written within this turn
      // of the event loop. The caller (a stream's set-up, a response's reply) goes on in the next, so
      // its work does not stand between the request and the model.
      await yieldToIo();
    } else bus.notifyRunnable(announcement);
    return {
      run: record.run,
      events,
      ...(live && { follow: { stored: events, live, handedOff: reservation !== undefined } }),
    };
  } catch (error) {
    reservation?.cancel();
    if (!(error instanceof ActiveRunConflictError) || threadId === undefined) throw error;
    const active = await store.runs.findActive(projectId, threadId);
    throw new InvalidRequestError(
      active
        ? `Thread ${threadId} already has an active run ${active.id}.`
        : `Thread ${threadId} already has an active run.`,
    );
  }
}

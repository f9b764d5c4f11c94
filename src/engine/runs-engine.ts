/**
 * The engine's one entry point for what can be done with runs: start one (on a thread, or on a new
 * thread), cancel it, hand it tool outputs, follow its events. The Assistants routes, the A2A server and
 * service-agent delegation all come through here with inputs in domain terms, and so can any other API
 * surface; the worker executes what this queues. Finding the objects a request names (and answering its
 * 404s) is the caller's job; the rules of runs (one active run per thread, which statuses can be
 * cancelled, which outputs a waiting run takes) are decided here.
 */
import type { MaybePromise } from '../domain/maybe-promise.ts';
import type { Assistant, ToolResources } from '../domain/assistant.ts';
import { nowSeconds } from '../domain/clock.ts';
import { InvalidRequestError, NotFoundError } from '../domain/errors.ts';
import { newMessage, type MessageInput } from '../domain/new-message.ts';
import { newThread, type ThreadInput, type ToolResourcesInput } from '../domain/new-thread.ts';
import type { Run, RunOptions } from '../domain/run.ts';
import type { RunEvent } from '../domain/run-event.ts';
import type { RunRecord } from '../domain/run-record.ts';
import { isTerminal } from '../domain/run-status.ts';
import type { Message } from '../domain/message.ts';
import type { Thread } from '../domain/thread.ts';
import type { RunCreationWrites } from '../storage/ports/runs-port.ts';
import type { Store } from '../storage/store.ts';
import { insertRun, planRun, type RunParams } from './create-run.ts';
import type { EventBus } from './event-bus.ts';
import { runEventStream, type RunFollow } from './run-event-stream.ts';
import type { RunHandOff } from './run-hand-off.ts';
import type { RunLimits } from './run-limits.ts';
import { withSettledHooks, type RunSettledHook } from './run-hooks.ts';
import {
  cancelIdleRun,
  requestCancel,
  submitToolOutputs,
  type ToolOutput,
} from './run-transitions.ts';

export type { RunParams } from './create-run.ts';
export type { RunFollow } from './run-event-stream.ts';
export type { ToolOutput } from './run-transitions.ts';
export type { RunHistory, RunSettledHook, SettledRun } from './run-hooks.ts';
export { withSettledHooks } from './run-hooks.ts';
// How a request's prompt is measured, for callers that count or build one outside a run.
export { requestTokens } from './context-budget.ts';
export { loadTokenCounter, type TokenCounter } from './token-counter.ts';
export { createRunLimits, recordModelCall, type RunLimits } from './run-limits.ts';

/**
 * Checks and effects of a caller's input that belong in the transaction storing it; the API layer
 * implements them (they answer with its error params).
 */
export interface RunInputs {
  /**
   * Checks a new message's files and puts its file_search attachments into the thread's vector store.
   * `param` places the message in the request (`additional_messages[0].`) for error params.
   */
  message(
    transaction: Store,
    projectId: string,
    threadId: string,
    message: MessageInput,
    param: string,
  ): MaybePromise<void>;
  /**
   * Whether `message` has anything for `message` to check or store (files): declared up front, so a
   * creation whose messages have none skips the hook and may go without a transaction.
   */
  messageChecks(message: MessageInput): boolean;
  /**
   * Requested tool resources in the stored form: ids checked, vector stores made from helpers. Absent
   * ones (null, undefined) are `{}`, for which the engine does not call it.
   */
  toolResources(
    transaction: Store,
    projectId: string,
    input: ToolResourcesInput | null | undefined,
  ): Promise<ToolResources>;
}

export interface RunsEngineOptions {
  store: Store;
  bus: EventBus;
  inputs: RunInputs;
  runExpirySeconds: number;
  /** This process's worker, to start new runs without a claim (absent on API-only nodes). */
  handOff?: RunHandOff;
  /** Called in the transaction of every status write that pauses or ends a run. */
  settled?: RunSettledHook[];
  /** Concurrent runs and tokens per day, decided in the transaction that inserts a run. */
  limits?: RunLimits;
}

/** A run to start: the assistant (already found by the caller) and what the caller sets. */
export interface RunStart {
  assistant: Assistant;
  /**
   * The version of the assistant's row it was read at (`AssistantRepository.findVersioned`): the
   * run's insert refuses with `StaleAssistantError` when the row has changed since.
   */
  assistantVersion?: string | undefined;
  /** Overrides of the assistant's settings; unset ones come from the assistant or OpenAI's defaults. */
  settings?: RunParams;
  /** Appended to the instructions for this run only. */
  additionalInstructions?: string | null | undefined;
  reasoningEffort?: string | null | undefined;
  /** Extra content the run's step events carry (`include[]`). */
  include?: string[];
  /** The delegation chain, for a run a service agent or an A2A caller asks for. */
  parent?: RunOptions['parent'];
  /** The project key that asks for the run: its usage is recorded for that key. */
  apiKeyId?: string | null | undefined;
  /** `external`: the run's history comes from the `RunHistory` port (a response), not its thread. */
  history?: RunOptions['history'];
  /** Store the model's reasoning as run events (a response's reasoning items). */
  reasoningEvents?: boolean;
  /** `disabled`: a history that does not fit fails the run instead of being truncated. */
  truncation?: RunOptions['truncation'];
  /** The container (`cntr_…`) a response's code_interpreter runs in, instead of the thread's files. */
  containerId?: string | null | undefined;
  /** Per `mcp` tool: the listing the run uses, and its sealed secrets. */
  mcp?: RunOptions['mcp'];
  /** A response's `max_tool_calls`: the built-in tool calls the run may execute in all. */
  maxToolCalls?: number | null | undefined;
  /** The caller streams the run's events: the update carries a `follow` for `events`. */
  follow?: boolean;
}

/** A run as it is after an action, and the seq after which the action's events follow. */
export interface RunUpdate {
  run: Run;
  afterSeq: number;
  /** When a creation was asked to be followed: hand it to `events` (which must then be read). */
  follow?: RunFollow;
}

/** The assistant's version for the run's insert to check, when the caller read one. */
function checkedAssistant(start: RunStart): RunCreationWrites {
  return start.assistantVersion === undefined
    ? {}
    : { assistant: { id: start.assistant.id, version: start.assistantVersion } };
}

export interface RunsEngine {
  /**
   * Starts a run on an existing thread; `messages` are added to the thread first, in the same
   * transaction (`messagesParam` names them in error params). A thread with an active run refuses.
   */
  create(
    projectId: string,
    threadId: string,
    start: RunStart & { messages?: MessageInput[] | undefined; messagesParam?: string },
  ): Promise<RunUpdate>;
  /**
   * Creates a thread with its messages and starts a run on it, in one transaction; the run's events
   * begin with `thread.created`. `toolResources` override the assistant's for this run.
   */
  createWithThread(
    projectId: string,
    thread: ThreadInput,
    start: RunStart & {
      toolResources?: ToolResourcesInput | null | undefined;
      /** Stores what the caller keeps beside the run, in the run's transaction (a response row); it adds no message to the thread. */
      inTransaction?: (transaction: Store, run: Run) => Promise<void>;
    },
  ): Promise<RunUpdate>;
  /** Creates a thread with its messages, in one transaction. */
  createThread(projectId: string, thread: ThreadInput): Promise<Thread>;
  /**
   * Cancels a run: at once when no worker holds it, else `cancelling` until its worker stops it.
   * Refuses a run that already ended or is being cancelled.
   */
  cancel(projectId: string, runId: string): Promise<RunUpdate>;
  /** Answers every pending tool call of a run in `requires_action`, and queues it again. */
  /** `keyId` is the API key that answered (recorded on an approval's audit row), when known. */
  submitToolOutputs(
    projectId: string,
    runId: string,
    outputs: ToolOutput[],
    keyId?: string | null,
  ): Promise<RunUpdate>;
  /**
   * A run's stored events after `afterSeq`, then live ones, until requires_action or its end.
   * `follow`, from the creation that returned it, spares reading back what the creation stored.
   */
  events(
    runId: string,
    afterSeq: number,
    signal: AbortSignal,
    follow?: RunFollow,
  ): AsyncIterable<RunEvent>;
}

const CANCEL_ATTEMPTS = 5;

/** What the worker needs to know about how the run was asked for. */
function optionsOf(start: RunStart, toolResources: ToolResources | null): RunOptions {
  return {
    additional_instructions: start.additionalInstructions ?? null,
    reasoning_effort: start.reasoningEffort ?? start.assistant.reasoning_effort ?? null,
    include: start.include ?? [],
    tool_resources: toolResources,
    ...(start.parent ? { parent: start.parent } : {}),
    ...(start.apiKeyId ? { api_key_id: start.apiKeyId } : {}),
    ...(start.history ? { history: start.history } : {}),
    ...(start.reasoningEvents ? { reasoning_events: true } : {}),
    ...(start.truncation ? { truncation: start.truncation } : {}),
    ...(start.containerId ? { container_id: start.containerId } : {}),
    ...(start.mcp && Object.keys(start.mcp).length ? { mcp: start.mcp } : {}),
    ...(start.maxToolCalls != null ? { max_tool_calls: start.maxToolCalls } : {}),
  };
}

export function createRunsEngine({
  store: baseStore,
  bus,
  inputs,
  runExpirySeconds,
  handOff,
  settled = [],
  limits,
}: RunsEngineOptions): RunsEngine {
  const store = withSettledHooks(baseStore, settled);
  async function requireRun(projectId: string, runId: string): Promise<Run> {
    const run = await store.runs.find(projectId, runId);
    if (!run) throw NotFoundError.object('run', runId, 'run_id');
    return run;
  }

  /** The run with how it was asked for (`include`), in one read. */
  async function requireRecord(projectId: string, runId: string): Promise<RunRecord> {
    const record = await store.runs.findRecord(runId);
    if (!record || record.projectId !== projectId)
      throw NotFoundError.object('run', runId, 'run_id');
    return record;
  }

  /** Stores the messages of a thread, each after its input checks; returns them as stored. */
  async function addMessages(
    transaction: Store,
    projectId: string,
    threadId: string,
    messages: MessageInput[],
    param: string,
    createdAt: number,
  ): Promise<Message[]> {
    const stored: Message[] = [];
    for (const [index, message] of messages.entries()) {
      await inputs.message(transaction, projectId, threadId, message, `${param}[${index}].`);
      const added = newMessage(threadId, message, createdAt);
      await transaction.messages.insert(projectId, added);
      stored.push(added);
    }
    return stored;
  }

  /**
   * Whether a creation's steps read or write in its transaction (limits to admit, files to check or
   * attach, tool resources to resolve); when none does, the creation may go without one.
   */
  async function needsTransaction(
    projectId: string,
    apiKeyId: string | null | undefined,
    messages: MessageInput[],
    toolResources?: ToolResourcesInput | null,
  ): Promise<boolean> {
    if (toolResources != null || messages.some((message) => inputs.messageChecks(message)))
      return true;
    return (await limits?.admits(projectId, apiKeyId ?? null)) ?? false;
  }

  /** Stores a new thread with its messages; returns both as stored. */
  async function insertThread(
    transaction: Store,
    projectId: string,
    input: ThreadInput,
  ): Promise<{ thread: Thread; messages: Message[] }> {
    const createdAt = nowSeconds();
    const toolResources = await inputs.toolResources(transaction, projectId, input.tool_resources);
    const thread = newThread(toolResources, input.metadata, createdAt);
    await transaction.threads.insert(projectId, thread);
    const inputMessages = input.messages ?? [];
    const messages = await addMessages(
      transaction,
      projectId,
      thread.id,
      inputMessages,
      'messages',
      createdAt,
    );
    // Attachments may have given the thread a vector store: return what was stored. Without any, the
    // thread is as built (no second read).
    if (!inputMessages.some((message) => message.attachments?.length)) return { thread, messages };
    return { thread: (await transaction.threads.find(projectId, thread.id)) ?? thread, messages };
  }

  return {
    async create(projectId, threadId, start) {
      const run = planRun(
        start.assistant,
        start.settings ?? {},
        runExpirySeconds,
        start.additionalInstructions,
      )(threadId);
      const { messages = [], messagesParam = 'messages' } = start;
      const alone = !(await needsTransaction(projectId, start.apiKeyId, messages));
      const created = await insertRun(
        store,
        bus,
        projectId,
        optionsOf(start, null),
        async (transaction) => {
          // Nothing to check: the messages go with the run's insert.
          if (alone) {
            const added = messages.map((message) => newMessage(threadId, message, run.created_at));
            return { run, created: { messages: added, ...checkedAssistant(start) } };
          }
          await limits?.admit(transaction, projectId, start.apiKeyId ?? null);
          await addMessages(
            transaction,
            projectId,
            threadId,
            messages,
            messagesParam,
            run.created_at,
          );
          return { run, created: checkedAssistant(start) };
        },
        handOff,
        start.follow,
        alone,
      );
      return { run: created.run, afterSeq: 0, ...(created.follow && { follow: created.follow }) };
    },

    async createWithThread(projectId, thread, start) {
      const buildRun = planRun(start.assistant, start.settings ?? {}, runExpirySeconds);
      const toolResources = start.toolResources
        ? await inputs.toolResources(store, projectId, start.toolResources)
        : null;
      const inputMessages = thread.messages ?? [];
      const alone =
        !start.inTransaction &&
        !(await needsTransaction(projectId, start.apiKeyId, inputMessages, thread.tool_resources));
      const created = await insertRun(
        store,
        bus,
        projectId,
        optionsOf({ ...start, additionalInstructions: null }, toolResources),
        async (transaction) => {
          let stored: { thread: Thread; messages: Message[] };
          if (alone) {
            // Nothing to check: the thread and its messages go with the run's insert.
            const createdAt = nowSeconds();
            const made = newThread({}, thread.metadata, createdAt);
            const messages = inputMessages.map((message) =>
              newMessage(made.id, message, createdAt),
            );
            stored = { thread: made, messages };
          } else {
            await limits?.admit(transaction, projectId, start.apiKeyId ?? null);
            stored = await insertThread(transaction, projectId, thread);
          }
          const run = buildRun(stored.thread.id);
          await start.inTransaction?.(transaction, run);
          const leading = [
            {
              runId: run.id,
              event: 'thread.created' as const,
              data: JSON.stringify(stored.thread),
            },
          ];
          // The thread is new: these are all its messages, for the worker not to read back.
          return {
            run,
            leading,
            messages: stored.messages,
            created: {
              ...(alone && { thread: stored.thread, messages: stored.messages }),
              ...checkedAssistant(start),
            },
          };
        },
        handOff,
        start.follow,
        alone,
      );
      return { run: created.run, afterSeq: 0, ...(created.follow && { follow: created.follow }) };
    },

    async createThread(projectId, thread) {
      const stored = await store.transaction((transaction) =>
        insertThread(transaction, projectId, thread),
      );
      return stored.thread;
    },

    async cancel(projectId, runId) {
      for (let attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
        const { run, options } = await requireRecord(projectId, runId);
        if (isTerminal(run.status) || run.status === 'cancelling') {
          throw new InvalidRequestError(`Cannot cancel run with status '${run.status}'.`);
        }
        const afterSeq = await store.runEvents.lastSeq(run.id);
        const include = options.include ?? [];
        const moved =
          run.status === 'in_progress'
            ? await requestCancel(store, bus, projectId, run)
            : await cancelIdleRun(store, bus, projectId, run, include);
        if (moved) return { run: await requireRun(projectId, runId), afterSeq };
      }
      throw new InvalidRequestError(
        'The run changed status while it was being cancelled; please retry.',
      );
    },

    async submitToolOutputs(projectId, runId, outputs, keyId = null) {
      const { run, options } = await requireRecord(projectId, runId);
      if (run.status !== 'requires_action' || !run.required_action) {
        throw new InvalidRequestError(`Runs in status "${run.status}" do not accept tool outputs.`);
      }
      const expected = run.required_action.submit_tool_outputs.tool_calls.map((call) => call.id);
      const given = outputs.map((output) => output.tool_call_id);
      const unknown = given.find((id) => !expected.includes(id));
      if (unknown)
        throw new InvalidRequestError(
          `Tool call '${unknown}' is not one of the run's pending tool calls (${expected.join(', ')}).`,
          'tool_outputs',
        );
      if (new Set(given).size !== given.length)
        throw new InvalidRequestError('Each tool call may have only one output.', 'tool_outputs');
      const missing = expected.filter((id) => !given.includes(id));
      if (missing.length > 0) {
        throw new InvalidRequestError(
          `Expected tool outputs for call_ids [${expected.map((id) => `'${id}'`).join(', ')}], got [${given.map((id) => `'${id}'`).join(', ')}].`,
          'tool_outputs',
        );
      }
      const afterSeq = await store.runEvents.lastSeq(run.id);
      const include = options.include ?? [];
      // Queued again, the run takes a place among its scopes' concurrent runs (see run-limits.ts).
      const apiKeyId = options.api_key_id ?? null;
      const admit =
        limits && ((transaction: Store) => limits.resume(transaction, projectId, apiKeyId));
      const queued = await submitToolOutputs(
        store,
        bus,
        projectId,
        run,
        outputs,
        include,
        keyId,
        admit,
      );
      if (!queued)
        throw new InvalidRequestError(
          'The run changed status before the tool outputs were recorded (it may have expired or been cancelled).',
        );
      return { run: queued, afterSeq };
    },

    events(runId, afterSeq, signal, follow) {
      return runEventStream({ events: store.runEvents, bus, runId, afterSeq, signal, follow });
    },
  };
}

/**
 * Runs as the API sees them: creation (a queued row is the whole hand-off to the workers), reads,
 * cancel, tool outputs. Streaming callers get the events stored from a given seq on.
 */
import type { Assistant } from '../../../domain/assistant.ts';
import { InvalidRequestError, NotFoundError } from '../../../domain/errors.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import type { Run, RunOptions } from '../../../domain/run.ts';
import { isTerminal } from '../../../domain/run-status.ts';
import type { EventBus } from '../../../engine/event-bus.ts';
import type { RunHandOff } from '../../../engine/run-hand-off.ts';
import { buildRun, insertRun } from '../../../engine/create-run.ts';
import { runEventStream } from '../../../engine/run-event-stream.ts';
import {
  cancelIdleRun,
  requestCancel,
  submitToolOutputs,
} from '../../../engine/run-transitions.ts';
import type { Store } from '../../../storage/store.ts';
import type { MessageFilesHook } from '../../shared/message-attachments.ts';
import { assertToolReferencesExist } from '../../shared/tool-references.ts';
import type { ToolResourcesResolver } from '../../shared/tool-resources.ts';
import { buildMessage } from '../messages/messages.service.ts';
import type { ThreadsService } from '../threads.service.ts';
import type {
  RunCreateParams,
  SubmitToolOutputsParams,
  ThreadCreateAndRunParams,
} from './runs.schemas.ts';

export interface RunsServiceOptions {
  store: Store;
  bus: EventBus;
  threads: ThreadsService;
  /** Checks createThreadAndRun's `tool_resources` ids against the project. */
  toolResources: ToolResourcesResolver;
  /** Runs before each of `additional_messages` is stored (file checks, attachments into the thread's vector store). */
  beforeCreateMessage: MessageFilesHook;
  runExpirySeconds: number;
  /** This process's worker, to start new runs without a claim (absent on API-only nodes). */
  handOff?: RunHandOff;
}

export function createRunsService({
  store,
  bus,
  threads,
  toolResources,
  beforeCreateMessage,
  runExpirySeconds,
  handOff,
}: RunsServiceOptions) {
  async function requireAssistant(projectId: string, assistantId: string): Promise<Assistant> {
    const assistant = await store.assistants.find(projectId, assistantId);
    if (!assistant) throw NotFoundError.object('assistant', assistantId, 'assistant_id');
    return assistant;
  }

  async function retrieve(projectId: string, threadId: string, runId: string): Promise<Run> {
    const run = await store.runs.find(projectId, runId);
    if (!run || run.thread_id !== threadId) {
      if (!(await store.threads.find(projectId, threadId)))
        throw NotFoundError.object('thread', threadId, 'thread_id');
      throw NotFoundError.object('run', runId, 'run_id');
    }
    return run;
  }

  return {
    retrieve,

    /** `parent`: the delegation chain of a run a service agent (or an A2A caller) asks for. */
    async create(
      projectId: string,
      threadId: string,
      params: RunCreateParams,
      include: string[],
      parent?: RunOptions['parent'],
    ) {
      const assistant = await requireAssistant(projectId, params.assistant_id);
      if (!(await store.threads.find(projectId, threadId)))
        throw NotFoundError.object('thread', threadId, 'thread_id');
      await assertToolReferencesExist(store, projectId, params.tools);
      const run = buildRun(
        threadId,
        assistant,
        params,
        runExpirySeconds,
        params.additional_instructions,
      );
      const options: RunOptions = {
        additional_instructions: params.additional_instructions ?? null,
        reasoning_effort: params.reasoning_effort ?? assistant.reasoning_effort ?? null,
        include,
        tool_resources: null,
        ...(parent ? { parent } : {}),
      };
      return insertRun(
        store,
        bus,
        projectId,
        run,
        options,
        async (transaction) => {
          for (const [index, message] of (params.additional_messages ?? []).entries()) {
            const path = `additional_messages[${index}].`;
            await beforeCreateMessage(transaction, projectId, threadId, message, path);
            await transaction.messages.insert(
              projectId,
              buildMessage(threadId, message, run.created_at),
            );
          }
          return [];
        },
        handOff,
      );
    },

    async createThreadAndRun(
      projectId: string,
      params: ThreadCreateAndRunParams,
      parent?: RunOptions['parent'],
    ) {
      const assistant = await requireAssistant(projectId, params.assistant_id);
      await assertToolReferencesExist(store, projectId, params.tools);
      const options: RunOptions = {
        additional_instructions: null,
        reasoning_effort: assistant.reasoning_effort,
        include: [],
        tool_resources: params.tool_resources
          ? await toolResources.resolve(store, projectId, params.tool_resources, [])
          : null,
        ...(parent ? { parent } : {}),
      };
      // The thread id is known only inside the transaction; the run object is completed there.
      const run = buildRun('', assistant, params, runExpirySeconds);
      return insertRun(
        store,
        bus,
        projectId,
        run,
        options,
        async (transaction) => {
          const thread = await threads.createIn(transaction, projectId, params.thread ?? {});
          run.thread_id = thread.id;
          return [{ runId: run.id, event: 'thread.created', data: JSON.stringify(thread) }];
        },
        handOff,
      );
    },

    async list(projectId: string, threadId: string, page: PageParams) {
      const result = await store.runs.listJson(projectId, threadId, page);
      if (result.itemCount === 0 && !(await store.threads.find(projectId, threadId)))
        throw NotFoundError.object('thread', threadId, 'thread_id');
      return result;
    },

    async updateMetadata(
      projectId: string,
      threadId: string,
      runId: string,
      metadata: Record<string, string> | null | undefined,
    ) {
      const run = await retrieve(projectId, threadId, runId);
      if (metadata === undefined) return run;
      const updated = { ...run, metadata: metadata ?? {} };
      await store.runs.updateMetadata(projectId, updated);
      return retrieve(projectId, threadId, runId);
    },

    async cancel(projectId: string, threadId: string, runId: string): Promise<Run> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const run = await retrieve(projectId, threadId, runId);
        if (isTerminal(run.status) || run.status === 'cancelling') {
          throw new InvalidRequestError(`Cannot cancel run with status '${run.status}'.`);
        }
        const include = (await store.runs.findRecord(run.id))?.options.include ?? [];
        const moved =
          run.status === 'in_progress'
            ? await requestCancel(store, bus, projectId, run)
            : await cancelIdleRun(store, bus, projectId, run, include);
        if (moved) return retrieve(projectId, threadId, runId);
      }
      throw new InvalidRequestError(
        'The run changed status while it was being cancelled; please retry.',
      );
    },

    async submitToolOutputs(
      projectId: string,
      threadId: string,
      runId: string,
      params: SubmitToolOutputsParams,
      keyId: string | null = null,
    ) {
      const run = await retrieve(projectId, threadId, runId);
      if (run.status !== 'requires_action' || !run.required_action) {
        throw new InvalidRequestError(`Runs in status "${run.status}" do not accept tool outputs.`);
      }
      const expected = run.required_action.submit_tool_outputs.tool_calls.map((call) => call.id);
      const given = params.tool_outputs.map((output) => output.tool_call_id);
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
      const include = (await store.runs.findRecord(run.id))?.options.include ?? [];
      const queued = await submitToolOutputs(
        store,
        bus,
        projectId,
        run,
        params.tool_outputs,
        include,
        keyId,
      );
      if (!queued)
        throw new InvalidRequestError(
          'The run changed status before the tool outputs were recorded (it may have expired or been cancelled).',
        );
      return { run: queued, afterSeq };
    },

    /** The run's stored events after `afterSeq`, then live ones, until the stream-ending event. */
    events(runId: string, afterSeq: number, signal: AbortSignal) {
      return runEventStream({ events: store.runEvents, bus, runId, afterSeq, signal });
    },

    async steps(projectId: string, threadId: string, runId: string) {
      await retrieve(projectId, threadId, runId);
      return {
        list: (page: PageParams) => store.runSteps.list(projectId, runId, page),
        retrieve: async (stepId: string) => {
          const step = await store.runSteps.find(projectId, runId, stepId);
          if (!step) throw NotFoundError.object('run step', stepId, 'step_id');
          return step;
        },
      };
    },
  };
}

export type RunsService = ReturnType<typeof createRunsService>;

/**
 * Runs as the Assistants API sees them: this adapter finds what a request names (answering its 404s)
 * and shapes answers; starting, cancelling and continuing a run are the engine's (`RunsEngine`).
 */
import type { Assistant } from '../../../domain/assistant.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import type { Run } from '../../../domain/run.ts';
import type { RunFollow, RunsEngine } from '../../../engine/runs-engine.ts';
import { StaleAssistantError } from '../../../storage/ports/runs-port.ts';
import type { Store } from '../../../storage/store.ts';
import { assertToolReferencesExist } from '../../shared/tool-references.ts';
import type {
  RunCreateParams,
  SubmitToolOutputsParams,
  ThreadCreateAndRunParams,
} from './runs.schemas.ts';

export interface RunsServiceOptions {
  store: Store;
  engine: RunsEngine;
}

export function createRunsService({ store, engine }: RunsServiceOptions) {
  async function requireAssistant(projectId: string, assistantId: string): Promise<Assistant> {
    const assistant = await store.assistants.find(projectId, assistantId);
    if (!assistant) throw NotFoundError.object('assistant', assistantId, 'assistant_id');
    return assistant;
  }

  /**
   * Runs `create` with the assistant. Where the store checks an assistant's version in the run's
   * insert (PostgreSQL), the first try takes it from this process's cache, without a round trip; a
   * stale one (updated or deleted since, on any node) is refused with nothing stored, and the second
   * try reads it again and creates the run from that read as before, unchecked.
   */
  async function withAssistant<Result>(
    projectId: string,
    assistantId: string,
    create: (assistant: Assistant, version?: string) => Promise<Result>,
  ): Promise<Result> {
    const { findVersioned } = store.assistants;
    if (!findVersioned) return create(await requireAssistant(projectId, assistantId));
    const cached = await findVersioned(projectId, assistantId);
    if (cached) {
      try {
        return await create(cached.assistant, cached.version);
      } catch (error) {
        if (!(error instanceof StaleAssistantError)) throw error;
      }
    }
    const fresh = await findVersioned(projectId, assistantId, true);
    if (!fresh) throw NotFoundError.object('assistant', assistantId, 'assistant_id');
    return create(fresh.assistant);
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

    /** `apiKeyId`: the project key that asks (the run's usage is recorded for it). */
    async create(
      projectId: string,
      threadId: string,
      params: RunCreateParams,
      include: string[],
      apiKeyId: string | null = null,
    ) {
      return withAssistant(projectId, params.assistant_id, async (assistant, version) => {
        if (!(await store.threads.find(projectId, threadId)))
          throw NotFoundError.object('thread', threadId, 'thread_id');
        await assertToolReferencesExist(store, projectId, params.tools);
        return engine.create(projectId, threadId, {
          assistant,
          assistantVersion: version,
          settings: params,
          additionalInstructions: params.additional_instructions,
          reasoningEffort: params.reasoning_effort,
          include,
          messages: params.additional_messages ?? [],
          messagesParam: 'additional_messages',
          apiKeyId,
          follow: params.stream === true,
        });
      });
    },

    async createThreadAndRun(
      projectId: string,
      params: ThreadCreateAndRunParams,
      apiKeyId: string | null = null,
    ) {
      return withAssistant(projectId, params.assistant_id, async (assistant, version) => {
        await assertToolReferencesExist(store, projectId, params.tools);
        return engine.createWithThread(projectId, params.thread ?? {}, {
          assistant,
          assistantVersion: version,
          settings: params,
          toolResources: params.tool_resources,
          apiKeyId,
          follow: params.stream === true,
        });
      });
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
      await retrieve(projectId, threadId, runId);
      return (await engine.cancel(projectId, runId)).run;
    },

    async submitToolOutputs(
      projectId: string,
      threadId: string,
      runId: string,
      params: SubmitToolOutputsParams,
      keyId: string | null = null,
    ) {
      await retrieve(projectId, threadId, runId);
      return engine.submitToolOutputs(projectId, runId, params.tool_outputs, keyId);
    },

    /**
     * The run's stored events after `afterSeq`, then live ones, until the stream-ending event;
     * `follow` is what the run's creation returned for it.
     */
    events(runId: string, afterSeq: number, signal: AbortSignal, follow?: RunFollow) {
      return engine.events(runId, afterSeq, signal, follow);
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

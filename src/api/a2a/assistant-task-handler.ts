/**
 * The A2A request handler of one assistant, for one caller's project: the SDK's transport handlers
 * (JSON-RPC v1.0 and v0.3) parse and serialize, this class runs the assistant. A task is a run of the
 * assistant; its context is the run's thread. The runs table stays the only record: nothing A2A-specific
 * is stored, so any API node can answer for any task.
 */
import type {
  AgentCard,
  Message as A2aMessage,
  SendMessageRequest,
  StreamResponse,
  Task,
} from '@a2a-js/sdk';
import {
  A2AError,
  ExtendedAgentCardNotConfiguredError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import type { Assistant } from '../../domain/assistant.ts';
import { ApiError, NotFoundError } from '../../domain/errors.ts';
import type { Run } from '../../domain/run.ts';
import { isTerminal } from '../../domain/run-status.ts';
import { parseOrThrow } from '../../http/validation.ts';
import type { RunsEngine } from '../../engine/runs-engine.ts';
import { delegationTooDeep } from '../../service-agents/delegation-depth.ts';
import type { Store } from '../../storage/store.ts';
import {
  RunCreateParamsSchema,
  ThreadCreateAndRunParamsSchema,
} from '../threads/runs/runs.schemas.ts';
import { toolOutputsOf, userContentOf } from './message-input.ts';
import { streamEventOf, taskOf, type FileUrl } from './task-view.ts';

export interface AssistantTaskHandlerOptions {
  store: Store;
  runs: RunsEngine;
  projectId: string;
  assistant: Assistant;
  /** The card in the SDK's form (only `getAgentCard` reads it). */
  card: AgentCard;
  fileUrl: FileUrl;
  /** Aborted when the caller goes away: waits and streams stop. */
  signal: AbortSignal;
  /** The delegation level the caller claimed (`Concierge-Delegation-Depth`; 0 without it). */
  delegationDepth?: number;
  /** Longest wait for a cancelled run to stop, in milliseconds. */
  cancelWaitMs?: number;
  /** Told about failures that are the server's fault; the caller gets a generic internal error. */
  onError?(error: unknown): void;
}

const INTERNAL = 'The server had an error while processing your request.';

export class AssistantTaskHandler implements A2ARequestHandler {
  constructor(private readonly options: AssistantTaskHandlerOptions) {}

  /**
   * Our errors in A2A's terms: an unknown object is an unknown task, anything else the caller can fix is
   * a malformed request, and the server's own failures are logged and reported without their details.
   */
  private translated(error: unknown): unknown {
    if (error instanceof A2AError) return error;
    if (error instanceof NotFoundError) return new TaskNotFoundError(error.message);
    if (error instanceof ApiError && error.kind !== 'server' && error.kind !== 'unavailable')
      return new RequestMalformedError(error.message);
    if (!this.options.signal.aborted) this.options.onError?.(error);
    return new A2AError(INTERNAL);
  }

  private async guard<Result>(work: () => Promise<Result>): Promise<Result> {
    try {
      return await work();
    } catch (error) {
      throw this.translated(error);
    }
  }

  private async *guardStream(
    work: () => AsyncGenerator<StreamResponse>,
  ): AsyncGenerator<StreamResponse> {
    try {
      yield* work();
    } catch (error) {
      throw this.translated(error);
    }
  }

  getAgentCard(): Promise<AgentCard> {
    return Promise.resolve(this.options.card);
  }

  getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    return Promise.reject(
      new ExtendedAgentCardNotConfiguredError('This agent has no extended card.'),
    );
  }

  sendMessage(request: SendMessageRequest): Promise<Task> {
    return this.guard(async () => {
      const { run, afterSeq } = await this.start(request);
      if (!request.configuration?.returnImmediately)
        await this.settle(run.id, afterSeq, this.options.signal);
      return this.snapshot(run.id);
    });
  }

  sendMessageStream(request: SendMessageRequest): AsyncGenerator<StreamResponse> {
    return this.guardStream(
      async function* (this: AssistantTaskHandler) {
        const { run, afterSeq } = await this.start(request);
        yield {
          payload: { $case: 'task', value: taskOf(run, [], this.options.fileUrl) },
        } satisfies StreamResponse;
        yield* this.follow(run.id, afterSeq);
      }.bind(this),
    );
  }

  getTask(request: { id: string }): Promise<Task> {
    return this.guard(() => this.snapshot(request.id));
  }

  cancelTask(request: { id: string }): Promise<Task> {
    return this.guard(async () => {
      const run = await this.find(request.id);
      if (run.status === 'cancelled') return this.snapshot(run.id);
      if (isTerminal(run.status))
        throw new TaskNotCancelableError(`Task ${run.id} already ended (${run.status}).`);
      const { afterSeq } = await this.options.runs.cancel(this.options.projectId, run.id);
      // A run in progress stops at its next step: wait for that (bounded), then report what it became.
      await this.settle(
        run.id,
        afterSeq,
        AbortSignal.any([
          this.options.signal,
          AbortSignal.timeout(this.options.cancelWaitMs ?? 10_000),
        ]),
      );
      return this.snapshot(run.id);
    });
  }

  resubscribe(request: { id: string }): AsyncGenerator<StreamResponse> {
    return this.guardStream(
      async function* (this: AssistantTaskHandler) {
        const run = await this.find(request.id);
        const afterSeq = await this.options.store.runEvents.lastSeq(run.id);
        yield {
          payload: { $case: 'task', value: await this.snapshot(run.id) },
        } satisfies StreamResponse;
        if (!isTerminal(run.status) && run.status !== 'requires_action')
          yield* this.follow(run.id, afterSeq);
      }.bind(this),
    );
  }

  listTasks(): Promise<never> {
    return Promise.reject(
      new UnsupportedOperationError(
        'Listing tasks is not supported; list the runs of a thread with GET /v1/threads/{thread_id}/runs.',
      ),
    );
  }

  createTaskPushNotificationConfig(): Promise<never> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  getTaskPushNotificationConfig(): Promise<never> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  listTaskPushNotificationConfigs(): Promise<never> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  deleteTaskPushNotificationConfig(): Promise<never> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  /** Waits for the event that ends a run's stream: requires_action or a final status. */
  private async settle(runId: string, afterSeq: number, signal: AbortSignal): Promise<void> {
    const events = this.options.runs.events(runId, afterSeq, signal)[Symbol.asyncIterator]();
    while (!(await events.next()).done);
  }

  private async *follow(runId: string, afterSeq: number): AsyncGenerator<StreamResponse> {
    for await (const event of this.options.runs.events(runId, afterSeq, this.options.signal)) {
      const streamEvent = streamEventOf(event, this.options.fileUrl);
      if (streamEvent) yield streamEvent;
    }
  }

  /** The run behind a task id, if it is a run of this assistant in the caller's project. */
  private async find(taskId: string): Promise<Run> {
    if (!taskId.trim()) throw new RequestMalformedError('A task id is required.');
    const run = await this.options.store.runs.find(this.options.projectId, taskId);
    if (!run || run.assistant_id !== this.options.assistant.id)
      throw new TaskNotFoundError(`Task not found: ${taskId}`);
    return run;
  }

  private async snapshot(taskId: string): Promise<Task> {
    const run = await this.find(taskId);
    const messages = await this.options.store.messages.list(
      this.options.projectId,
      run.thread_id,
      { limit: 100, order: 'asc' },
      { runId: run.id },
    );
    return taskOf(run, messages.data, this.options.fileUrl);
  }

  /** Starts a run for a new message, or hands a reply to the run that waits for it. */
  private async start(request: SendMessageRequest): Promise<{ run: Run; afterSeq: number }> {
    const message = request.message;
    if (!message) throw new RequestMalformedError('params.message is required.');
    if (message.taskId) return this.reply(message);
    const { projectId, assistant, runs, store } = this.options;
    const depth = this.options.delegationDepth ?? 0;
    const tooDeep = delegationTooDeep(assistant.name ?? assistant.id, depth);
    if (tooDeep) throw new UnsupportedOperationError(`${tooDeep} No run was started.`);
    // A run started by another Concierge run keeps counting levels from there.
    const parent = depth > 0 ? { run_id: null, depth, assistant_ids: [] } : undefined;
    const userMessage = { role: 'user' as const, content: userContentOf(message) };
    if (message.contextId) {
      if (!(await store.threads.find(projectId, message.contextId))) {
        throw new RequestMalformedError(
          `contextId '${message.contextId}' is not a conversation of this project; leave it out to start a new one.`,
        );
      }
      const params = parseOrThrow(
        RunCreateParamsSchema,
        { assistant_id: assistant.id, additional_messages: [userMessage] },
        'body',
      );
      return runs.create(projectId, message.contextId, {
        assistant,
        messages: params.additional_messages ?? [],
        messagesParam: 'additional_messages',
        ...(parent ? { parent } : {}),
      });
    }
    const params = parseOrThrow(
      ThreadCreateAndRunParamsSchema,
      { assistant_id: assistant.id, thread: { messages: [userMessage] } },
      'body',
    );
    return runs.createWithThread(projectId, params.thread ?? {}, {
      assistant,
      ...(parent ? { parent } : {}),
    });
  }

  private async reply(message: A2aMessage): Promise<{ run: Run; afterSeq: number }> {
    const run = await this.find(message.taskId);
    if (message.contextId && message.contextId !== run.thread_id) {
      throw new RequestMalformedError(
        `Task ${run.id} belongs to context ${run.thread_id}, not ${message.contextId}.`,
      );
    }
    if (run.status !== 'requires_action' || !run.required_action) {
      throw new UnsupportedOperationError(
        isTerminal(run.status)
          ? `Task ${run.id} is ${run.status} and takes no more messages; send a new message with contextId '${run.thread_id}' to continue the conversation.`
          : `Task ${run.id} is still ${run.status}; it takes a reply only when it is input-required.`,
      );
    }
    const outputs = toolOutputsOf(message, run.required_action.submit_tool_outputs.tool_calls);
    return this.options.runs.submitToolOutputs(this.options.projectId, run.id, outputs);
  }
}

/**
 * `/v1/responses`: a response is a run of the engine (or a segment of one). A new response starts a
 * run on a private thread whose history comes from the response's items; a response that answers
 * exactly the pending calls of the run before it continues that run (`submitToolOutputs`), so an
 * approval answered with `function_call_output` works as in Assistants. Events and objects are the
 * translation of the run's (`response-events.ts`).
 */
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { ListPage } from '../../domain/list-page.ts';
import type { Response, ResponseRecord } from '../../domain/response.ts';
import type { ConversationItem, InputItem } from '../../domain/response-item.ts';
import type { RunStep } from '../../domain/run.ts';
import type { RunEvent } from '../../domain/run-event.ts';
import type { StepTranscript } from '../../domain/run-record.ts';
import { isTerminal } from '../../domain/run-status.ts';
import type { RunFollow, RunsEngine } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import type { ListQuery } from '../shared/common.schemas.ts';
import { ResponseTranslator, translateAll, type ResponseStreamEvent } from './response-events.ts';
import { chainItems, instructionItems, itemsBefore, responseChain } from './response-history.ts';
import { resolveInput } from './request-history.ts';
import { checkInputFiles } from './response-files.ts';
import { checkResponseReferences } from './response-references.ts';
import { answeredCall, answerText, checkOutputs } from './response-answers.ts';
import { checkCompactions } from './compaction-content.ts';
import type { ResponseFileReader } from './response-history.ts';
import {
  beginConversationTurn,
  conversationOf,
  endConversationTurn,
} from '../conversations/conversation-turn.ts';
import { resolveResponseContainer, type ResponseContainers } from './response-container.ts';
import { prepareMcp, type PreparedMcp, type ResponseMcp } from './response-mcp.ts';
import { newResponse, responseAssistant, toolResourcesOf } from './response-run.ts';
import { responseInclude, runInclude, segmentEvents, stepTranscripts } from './response-settled.ts';
import type { ResponseCreateParams } from './responses.schemas.ts';

/** What `create` settled before building the response: its id, its chain and its history. */
interface CreateContext {
  responseId: string;
  chain: ResponseRecord[];
  history: ConversationItem[];
  stored: boolean;
  /** The history when it is not stored: a `store: false` chain of the caller's WebSocket. */
  carried: ConversationItem[] | undefined;
}

/**
 * The items through each `store: false` response a WebSocket remembers (its own, for
 * `previous_response_id` on that socket), by response id; undefined for any other id.
 */
export type UnstoredChains = (responseId: string) => ConversationItem[] | undefined;

export interface ResponsesService {
  /**
   * Starts a response; returns its record (the caller follows it, or answers at once). `unstored`
   * resolves a `previous_response_id` that names a response the caller remembers but did not store.
   */
  create(
    projectId: string,
    params: ResponseCreateParams,
    keyId: string | null,
    unstored?: UnstoredChains,
  ): Promise<ResponseRecord>;
  /**
   * The response's events from its start, live until it settles, skipping through `startingAfter`;
   * built-in tool items show what the response's `include[]` (kept with its run) asks for.
   */
  events(
    record: ResponseRecord,
    startingAfter: number | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ResponseStreamEvent>;
  /** Follows a response to its end and returns its final object (dropping it when not stored). */
  settle(record: ResponseRecord, signal: AbortSignal): Promise<Response>;
  /** Every item through the response: those before it, its input, then `response`'s output. */
  itemsThrough(record: ResponseRecord, response: Response): Promise<ConversationItem[]>;
  /** Drops everything a `store: false` response left (its row, and its run and thread); false if it was gone. */
  forget(record: ResponseRecord): Promise<boolean>;
  find(projectId: string, id: string): Promise<ResponseRecord>;
  /** The response; `include` adds to what its built-in tool items show (`GET …?include[]=`). */
  retrieve(projectId: string, id: string, include?: readonly string[]): Promise<Response>;
  delete(
    projectId: string,
    id: string,
  ): Promise<{ id: string; object: 'response'; deleted: boolean }>;
  cancel(projectId: string, id: string): Promise<Response>;
  inputItems(projectId: string, id: string, query: ListQuery): Promise<ListPage<InputItem>>;
}

export function createResponsesService(
  store: Store,
  runs: RunsEngine,
  containers: ResponseContainers,
  readFile: ResponseFileReader,
  mcp: ResponseMcp,
): ResponsesService {
  /**
   * What a streamed response's run creation handed its stream (read by `events`, which the caller
   * starts at once): its first events, not read back.
   */
  const following = new WeakMap<ResponseRecord, RunFollow>();

  async function find(projectId: string, id: string): Promise<ResponseRecord> {
    const record = await store.responses.find(projectId, id);
    if (!record) throw NotFoundError.object('response', id, 'response_id');
    return record;
  }

  /** The pending calls of a run waiting for outputs, when `input` answers exactly those. */
  async function continuable(previous: ResponseRecord, input: InputItem[]): Promise<boolean> {
    if (input.length === 0 || input.some((item) => answeredCall(item) === undefined)) return false;
    const run = await store.runs.find(previous.projectId, previous.runId);
    if (run?.status !== 'requires_action' || !run.required_action) return false;
    const pending = run.required_action.submit_tool_outputs.tool_calls.map((call) => call.id);
    const given = input.map((item) => answeredCall(item) ?? '');
    return given.length === pending.length && pending.every((id) => given.includes(id));
  }

  async function continueRun(
    previous: ResponseRecord,
    response: Response,
    input: InputItem[],
    keyId: string | null,
  ): Promise<ResponseRecord> {
    const afterSeq = await store.runEvents.lastSeq(previous.runId);
    const record: ResponseRecord = {
      projectId: previous.projectId,
      response,
      input,
      runId: previous.runId,
      threadId: previous.threadId,
      afterSeq,
    };
    // Stored first, so that the run's next settlement finds this segment.
    await store.responses.insert(record);
    try {
      const outputs = input.flatMap((item) => {
        const call = answeredCall(item);
        return call ? [{ tool_call_id: call, output: answerText(item) }] : [];
      });
      const update = await runs.submitToolOutputs(
        previous.projectId,
        previous.runId,
        outputs,
        keyId,
      );
      if (update.afterSeq !== afterSeq) {
        await store.responses.delete(previous.projectId, response.id);
        record.afterSeq = update.afterSeq;
        await store.responses.insert(record);
      }
      return record;
    } catch (error) {
      await store.responses.delete(previous.projectId, response.id);
      throw error;
    }
  }

  /** Deletes the response, and its run and thread with its run's last response; false if it was gone. */
  async function forget(record: ResponseRecord): Promise<boolean> {
    if (!(await store.responses.delete(record.projectId, record.response.id))) return false;
    if ((await store.responses.countByRun(record.runId)) === 0)
      await store.threads.delete(record.projectId, record.threadId);
    return true;
  }

  /**
   * Before a tool-calls step's completion is translated, the engine's transcript of it (the
   * model's arguments: a file search's queries), read once per step that completes. Read again even
   * when an earlier read saw the step: that read could come after the step was opened (with no calls
   * yet) and before its calls were written, when the stream lags behind the run.
   */
  async function readTranscripts(
    record: ResponseRecord,
    event: RunEvent,
    transcripts: Map<string, StepTranscript>,
  ): Promise<void> {
    if (event.event !== 'thread.run.step.completed') return;
    const step = JSON.parse(event.data) as RunStep;
    if (step.step_details.type !== 'tool_calls') return;
    for (const [id, transcript] of await stepTranscripts(store, record))
      transcripts.set(id, transcript);
  }

  async function* events(
    record: ResponseRecord,
    startingAfter: number | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ResponseStreamEvent> {
    const follow = following.get(record);
    following.delete(record);
    const transcripts = new Map<string, StepTranscript>();
    const include = await responseInclude(store, record).catch((error: unknown) => {
      follow?.live.close();
      throw error;
    });
    const translator = new ResponseTranslator(record.response, include, transcripts);
    for await (const event of runs.events(record.runId, record.afterSeq, signal, follow)) {
      await readTranscripts(record, event, transcripts);
      for (const translated of translator.translate(event))
        if (startingAfter === undefined || translated.sequence_number > startingAfter)
          yield translated;
      if (translator.done) return;
    }
  }

  /** Creates a response on the given history (a chain's items or a conversation's). */
  async function createOn(
    projectId: string,
    params: ResponseCreateParams,
    keyId: string | null,
    { responseId, chain, history, stored, carried }: CreateContext,
  ): Promise<ResponseRecord> {
    const input = await resolveInput(history, params.input ?? []);
    if (input.length === 0)
      throw new InvalidRequestError("Missing required parameter: 'input'.", 'input');
    checkCompactions(input);
    await checkInputFiles(projectId, input, readFile);
    checkOutputs(history, input);
    const response = newResponse(responseId, params, stored);
    await checkResponseReferences(store, projectId, response.tools, input);
    const conversationId = conversationOf(params);
    if (conversationId) response.conversation = { id: conversationId };
    const previous = chain.at(-1);
    if (previous && (await continuable(previous, input))) {
      // The continued run keeps its container: its items name the one the run was started in.
      const index = response.tools.findIndex((tool) => tool.type === 'code_interpreter');
      const before = previous.response.tools.find((tool) => tool.type === 'code_interpreter');
      if (index !== -1 && before?.type === 'code_interpreter')
        response.tools[index] = { type: 'code_interpreter', container: before.container };
      return continueRun(previous, response, input, keyId);
    }

    const mcpTools = await prepareMcp(
      mcp,
      params.tools,
      [...history, ...input],
      AbortSignal.timeout(mcp.timeoutMs),
    );
    response.output = mcpTools.listings;
    const { assistant, settings } = responseAssistant(
      response,
      instructionItems([...history, ...input]),
    );
    const container = await resolveResponseContainer(containers, projectId, response);
    try {
      const run = { assistant, settings, mcp: mcpTools.run };
      const record = { response, input, ...(carried ? { history: carried } : {}) };
      return await startRun(projectId, params, keyId, record, container?.id ?? null, run);
    } catch (error) {
      if (container?.created)
        await containers.delete(projectId, container.id).catch(() => undefined);
      throw error;
    }
  }

  /** Starts the run of a new response on a private thread, storing the response with it. */
  async function startRun(
    projectId: string,
    params: ResponseCreateParams,
    keyId: string | null,
    { response, input, history }: Pick<ResponseRecord, 'response' | 'input' | 'history'>,
    containerId: string | null,
    {
      assistant,
      settings,
      mcp: mcpRun,
    }: ReturnType<typeof responseAssistant> & { mcp: PreparedMcp['run'] },
  ): Promise<ResponseRecord> {
    let record: ResponseRecord | undefined;
    const { follow } = await runs.createWithThread(
      projectId,
      { messages: [], metadata: {} },
      {
        assistant,
        settings,
        toolResources: toolResourcesOf(response),
        reasoningEffort: params.reasoning?.effort ?? null,
        include: runInclude(params.include ?? []),
        history: 'external',
        reasoningEvents: true,
        truncation: response.truncation,
        containerId,
        mcp: mcpRun,
        maxToolCalls: params.max_tool_calls ?? null,
        apiKeyId: keyId,
        follow: params.stream === true,
        inTransaction: async (transaction, run) => {
          record = {
            projectId,
            response,
            input,
            ...(history ? { history } : {}),
            runId: run.id,
            threadId: run.thread_id,
            afterSeq: 0,
          };
          await transaction.responses.insert(record);
        },
      },
    );
    if (follow) following.set(record!, follow);
    return record!;
  }

  return {
    async create(projectId, params, keyId, unstored) {
      const stored = params.store ?? true;
      if (params.background && !stored)
        throw new InvalidRequestError(
          'Background responses must be stored (store: true).',
          'background',
        );
      const conversationId = conversationOf(params);
      const responseId = newId('response');
      const previousId = params.previous_response_id;
      const carried = previousId ? unstored?.(previousId) : undefined;
      const chain = previousId && !carried ? await responseChain(store, projectId, previousId) : [];
      const history = conversationId
        ? await beginConversationTurn(store, projectId, conversationId, responseId)
        : (carried ?? chainItems(chain));
      try {
        const context = { responseId, chain, history, stored, carried };
        return await createOn(projectId, params, keyId, context);
      } catch (error) {
        if (conversationId) await endConversationTurn(store, projectId, conversationId, responseId);
        throw error;
      }
    },

    events,

    async settle(record, signal) {
      const transcripts = new Map<string, StepTranscript>();
      const translator = new ResponseTranslator(
        record.response,
        await responseInclude(store, record),
        transcripts,
      );
      for await (const event of runs.events(record.runId, record.afterSeq, signal)) {
        await readTranscripts(record, event, transcripts);
        translator.translate(event);
        if (translator.done) break;
      }
      if (!record.response.store) await forget(record);
      return translator.response;
    },

    async itemsThrough(record, response) {
      return [...(await itemsBefore(store, record)), ...record.input, ...response.output];
    },

    forget,
    find,

    async retrieve(projectId, id, include = []) {
      const record = await find(projectId, id);
      const { status } = record.response;
      const kept = await responseInclude(store, record);
      const extra = include.some((value) => !kept.includes(value));
      if (status !== 'queued' && status !== 'in_progress' && !extra) return record.response;
      // Not settled yet, or asked to show more: what its events say, with what is asked for.
      const translator = translateAll(
        record.response,
        await segmentEvents(store, record),
        [...new Set([...kept, ...include])],
        await stepTranscripts(store, record),
      );
      const response = translator.response;
      if (!translator.done && response.status === 'queued') {
        const run = await store.runs.find(projectId, record.runId);
        if (run && run.status !== 'queued') response.status = 'in_progress';
      }
      return response;
    },

    async delete(projectId, id) {
      const record = await find(projectId, id);
      const run = await store.runs.find(projectId, record.runId);
      if (
        run &&
        !isTerminal(run.status) &&
        run.status !== 'requires_action' &&
        run.status !== 'cancelling'
      )
        await runs.cancel(projectId, run.id).catch(() => undefined);
      // Deleted meanwhile by a request that found it too: that one answers for it.
      if (!(await forget(record))) throw NotFoundError.object('response', id, 'response_id');
      // Its run settles (when its worker stops it) without the record that names its conversation:
      // the deleted response lets go of the conversation now (a no-op once it has).
      const { conversation } = record.response;
      if (conversation) await endConversationTurn(store, projectId, conversation.id, id);
      return { id, object: 'response', deleted: true };
    },

    async cancel(projectId, id) {
      const record = await find(projectId, id);
      if (!record.response.background)
        throw new InvalidRequestError('Only background responses can be cancelled.', 'response_id');
      const run = await store.runs.find(projectId, record.runId);
      if (
        run &&
        !isTerminal(run.status) &&
        run.status !== 'requires_action' &&
        run.status !== 'cancelling'
      )
        await runs.cancel(projectId, run.id);
      else if (record.response.status !== 'cancelled' && run?.status !== 'cancelling')
        throw new InvalidRequestError(
          `Cannot cancel a response with status '${record.response.status}'.`,
          'response_id',
        );
      return this.retrieve(projectId, id);
    },

    async inputItems(projectId, id, query) {
      const record = await find(projectId, id);
      const ordered = query.order === 'asc' ? record.input : [...record.input].reverse();
      let start = 0;
      if (query.after) start = ordered.findIndex((item) => item.id === query.after) + 1;
      let end = ordered.length;
      if (query.before) {
        const index = ordered.findIndex((item) => item.id === query.before);
        end = index === -1 ? end : index;
      }
      const slice = ordered.slice(start, end);
      const data = query.before ? slice.slice(-query.limit) : slice.slice(0, query.limit);
      const hasMore = query.before ? slice.length > query.limit : slice.length > query.limit;
      return {
        object: 'list',
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: hasMore,
      };
    },
  };
}

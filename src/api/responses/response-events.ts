/**
 * The translation of a run's stored events into a response's stream events: a pure, deterministic
 * function of the events of the response's segment of the run (and of the engine's stored transcript
 * of each tool-calls step, for a file search's queries), so that a stream resumed by
 * `starting_after` re-translates from the segment's start and sends exactly what it missed. The
 * `sequence_number` of an event is its position in the translated stream. The response object the
 * translation ends with is the response's final object (the settle hook stores it).
 */
import { mcpApprovalOf } from '../../domain/mcp-tool.ts';
import type { Annotation as MessageAnnotation, Message } from '../../domain/message.ts';
import type { Response } from '../../domain/response.ts';
import type {
  Annotation,
  McpListToolsItem,
  OutputItem,
  OutputMessageItem,
} from '../../domain/response-item.ts';
import type { Run, RunStep } from '../../domain/run.ts';
import type { ReasoningEvent, RunEvent } from '../../domain/run-event.ts';
import type { StepTranscript } from '../../domain/run-record.ts';
import { APPROVE_ACTION } from '../../tools/tool.ts';
import {
  builtinItemId,
  builtinToolEvents,
  builtinToolItem,
  type BuiltinItemContext,
} from './builtin-tool-items.ts';
import { INCLUDE_REASONING_ENCRYPTED, ReasoningItems } from './reasoning-items.ts';
import {
  responseError,
  responseIncomplete,
  responseStatus,
  responseUsage,
} from './response-status.ts';

/** One event of a response stream, as the SDK reads it. */
export type ResponseStreamEvent = { type: string; sequence_number: number } & Record<
  string,
  unknown
>;

/** The container a response's code_interpreter names, or null (an `auto` container is the run's own). */
function responseContainer(response: Response): string | null {
  for (const tool of response.tools)
    if (tool.type === 'code_interpreter' && typeof tool.container === 'string')
      return tool.container;
  return null;
}

function toAnnotation(annotation: MessageAnnotation, fileNames: Map<string, string>): Annotation {
  if (annotation.type === 'file_citation') {
    const fileId = annotation.file_citation.file_id;
    return {
      type: 'file_citation',
      file_id: fileId,
      filename: fileNames.get(fileId) ?? '',
      index: annotation.end_index,
    };
  }
  return { type: 'file_path', file_id: annotation.file_path.file_id, index: annotation.end_index };
}

interface TextDelta {
  id: string;
  delta: {
    content?: Array<{
      index: number;
      type: string;
      text?: { value?: string; annotations?: MessageAnnotation[] };
    }>;
  };
}

/** Translates one segment's run events, in order, into response events. */
export class ResponseTranslator {
  /** The response as the events so far make it. */
  response: Response;
  private seq = -1;
  private created = false;
  private started = false;
  /** The run's usage when the segment began (a continued run's earlier turns are not this response's). */
  private usageBefore: Run['usage'] = null;
  private usageSeen = false;
  private messageIndex = new Map<string, number>();
  private fileNames = new Map<string, string>();
  private ended = false;
  /** What the built-in tools' items show (`include[]`, the container). */
  private readonly builtins: BuiltinItemContext;
  /** The MCP listings made before the run (`response-mcp.ts`): the first output items. */
  private readonly listings: McpListToolsItem[];
  /** The model's reasoning, as `reasoning` items. */
  private readonly reasoning: ReasoningItems<ResponseStreamEvent>;

  /**
   * @param include the response's `include[]`.
   * @param transcripts the engine's transcript of each tool-calls step by step id (the model's
   *   arguments of each call: a file search's queries), as far as the caller has read them.
   */
  constructor(
    base: Response,
    include: readonly string[] = [],
    private readonly transcripts: ReadonlyMap<string, StepTranscript> = new Map(),
  ) {
    // A stored response (a stream resumed after it settled) starts over from what it was created as;
    // the MCP listings it was created with stay known to the translation.
    const start = structuredClone(base);
    this.listings = start.output.filter(
      (item): item is McpListToolsItem => item.type === 'mcp_list_tools',
    );
    this.response = {
      ...start,
      output: [],
      completed_at: null,
      error: null,
      incomplete_details: null,
      usage: null,
    };
    this.reasoning = new ReasoningItems(
      this.response.output,
      (type, fields) => this.event(type, fields),
      include.includes(INCLUDE_REASONING_ENCRYPTED),
    );
    this.builtins = {
      include,
      containerId: responseContainer(base),
      fileUrl: (fileId) => `/v1/files/${fileId}/content`,
    };
  }

  /** Whether the response settled (completed, incomplete, failed, cancelled). */
  get done(): boolean {
    return this.ended;
  }

  private event(type: string, fields: Record<string, unknown>): ResponseStreamEvent {
    return { type, sequence_number: ++this.seq, ...fields };
  }

  private snapshot(): Response {
    return structuredClone(this.response);
  }

  /** The response events of one run event (none for run events with no Responses counterpart). */
  translate(runEvent: RunEvent): ResponseStreamEvent[] {
    if (this.ended || runEvent.event === 'thread.created') return [];
    const out: ResponseStreamEvent[] = [];
    const data = JSON.parse(runEvent.data) as unknown;
    if (
      !this.usageSeen &&
      runEvent.event.startsWith('thread.run.') &&
      !runEvent.event.includes('.step.')
    ) {
      this.usageSeen = true;
      this.usageBefore = (data as Run).usage;
    }
    if (!this.created) {
      this.created = true;
      this.response.status = this.response.background ? 'queued' : 'in_progress';
      out.push(this.event('response.created', { response: this.snapshot() }));
    }
    switch (runEvent.event) {
      case 'thread.run.queued':
        if (this.response.background && !this.started)
          out.push(this.event('response.queued', { response: this.snapshot() }));
        break;
      case 'thread.run.in_progress':
        if (!this.started) {
          this.started = true;
          this.response.status = 'in_progress';
          out.push(this.event('response.in_progress', { response: this.snapshot() }));
          for (const listing of this.listings) out.push(...this.listed(listing));
        }
        break;
      case 'thread.reasoning.created':
      case 'thread.reasoning.delta':
      case 'thread.reasoning.completed':
      case 'thread.reasoning.tokens':
        out.push(...this.reasoning.translate({ event: runEvent.event, data } as ReasoningEvent));
        break;
      case 'thread.message.created':
        out.push(...this.openMessage(data as Message));
        break;
      case 'thread.message.delta':
        out.push(...this.messageDelta(data as TextDelta));
        break;
      case 'thread.message.completed':
      case 'thread.message.incomplete':
        out.push(...this.closeMessage(data as Message));
        break;
      case 'thread.run.step.completed':
        out.push(...this.completedStep(data as RunStep));
        break;
      case 'thread.run.step.failed':
      case 'thread.run.step.cancelled':
      case 'thread.run.step.expired':
        out.push(...this.abandonedStep(data as RunStep));
        break;
      case 'thread.run.requires_action':
        out.push(...this.functionCalls(data as Run));
        out.push(...this.settle(data as Run));
        break;
      case 'thread.run.completed':
      case 'thread.run.incomplete':
      case 'thread.run.failed':
      case 'thread.run.cancelled':
      case 'thread.run.expired':
        out.push(...this.settle(data as Run));
        break;
      default:
        break;
    }
    return out;
  }

  private openMessage(message: Message): ResponseStreamEvent[] {
    if (message.role !== 'assistant' || this.messageIndex.has(message.id)) return [];
    const item: OutputMessageItem = {
      type: 'message',
      id: message.id,
      role: 'assistant',
      status: 'in_progress',
      content: [],
    };
    const index = this.response.output.push(item) - 1;
    this.messageIndex.set(message.id, index);
    const part = { type: 'output_text', text: '', annotations: [] };
    item.content.push({ type: 'output_text', text: '', annotations: [] });
    return [
      this.event('response.output_item.added', {
        output_index: index,
        item: { ...item, content: [] },
      }),
      this.event('response.content_part.added', {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part,
      }),
    ];
  }

  private messageDelta(delta: TextDelta): ResponseStreamEvent[] {
    const index = this.messageIndex.get(delta.id);
    if (index === undefined) return [];
    const item = this.response.output[index] as OutputMessageItem;
    const text = item.content[0] as Extract<
      OutputMessageItem['content'][number],
      { type: 'output_text' }
    >;
    const out: ResponseStreamEvent[] = [];
    for (const part of delta.delta.content ?? []) {
      if (part.index !== 0 || part.type !== 'text' || !part.text) continue;
      if (part.text.value) {
        text.text += part.text.value;
        out.push(
          this.event('response.output_text.delta', {
            item_id: item.id,
            output_index: index,
            content_index: 0,
            delta: part.text.value,
            logprobs: [],
          }),
        );
      }
      for (const annotation of part.text.annotations ?? []) {
        const converted = toAnnotation(annotation, this.fileNames);
        text.annotations.push(converted);
        out.push(
          this.event('response.output_text.annotation.added', {
            item_id: item.id,
            output_index: index,
            content_index: 0,
            annotation_index: text.annotations.length - 1,
            annotation: converted,
          }),
        );
      }
    }
    return out;
  }

  private closeMessage(message: Message): ResponseStreamEvent[] {
    const index = this.messageIndex.get(message.id);
    if (index === undefined) return [];
    const item = this.response.output[index] as OutputMessageItem;
    const part = message.content[0];
    const text = item.content[0] as Extract<
      OutputMessageItem['content'][number],
      { type: 'output_text' }
    >;
    if (part?.type === 'text') {
      text.text = part.text.value;
      text.annotations = part.text.annotations.map((annotation) =>
        toAnnotation(annotation, this.fileNames),
      );
    }
    item.status = message.status === 'completed' ? 'completed' : 'incomplete';
    return [
      this.event('response.output_text.done', {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        text: text.text,
        logprobs: [],
      }),
      this.event('response.content_part.done', {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part: structuredClone(text),
      }),
      this.event('response.output_item.done', { output_index: index, item: structuredClone(item) }),
    ];
  }

  /** A message interrupted by a worker's death keeps its place, marked incomplete. */
  private abandonedStep(step: RunStep): ResponseStreamEvent[] {
    if (step.step_details.type !== 'message_creation') return [];
    const id = step.step_details.message_creation.message_id;
    const index = this.messageIndex.get(id);
    const item =
      index === undefined ? undefined : (this.response.output[index] as OutputMessageItem);
    if (!item || item.status !== 'in_progress') return [];
    item.status = 'incomplete';
    return [
      this.event('response.output_item.done', { output_index: index, item: structuredClone(item) }),
    ];
  }

  private completedStep(step: RunStep): ResponseStreamEvent[] {
    if (step.step_details.type !== 'tool_calls') return [];
    for (const call of step.step_details.tool_calls) {
      if (call.type === 'file_search')
        for (const result of call.file_search.results ?? [])
          this.fileNames.set(result.file_id, result.file_name);
    }
    const out: ResponseStreamEvent[] = [];
    for (const call of step.step_details.tool_calls) {
      const transcript = this.transcripts.get(step.id)?.calls.find((made) => made.id === call.id);
      const item = builtinToolItem(call, transcript, step.status, this.builtins);
      if (!item) continue;
      const index = this.response.output.push(item) - 1;
      // Added as it starts (OpenAI's order); the progress events and `done` carry the rest.
      const added =
        item.type === 'code_interpreter_call'
          ? { ...item, code: '', outputs: null, status: 'in_progress' as const }
          : item.type === 'mcp_call'
            ? { ...item, arguments: '', output: null, error: null, status: 'in_progress' as const }
            : { ...item, status: 'in_progress' as const };
      out.push(this.event('response.output_item.added', { output_index: index, item: added }));
      for (const progress of builtinToolEvents(item, index))
        out.push(this.event(progress.type, progress));
      out.push(this.event('response.output_item.done', { output_index: index, item }));
    }
    return out;
  }

  /** An MCP server's listing, made before the run, as the first items of the output. */
  private listed(listing: McpListToolsItem): ResponseStreamEvent[] {
    const index = this.response.output.push(listing) - 1;
    return [
      this.event('response.output_item.added', {
        output_index: index,
        item: { ...listing, tools: [] },
      }),
      ...builtinToolEvents(listing, index).map((progress) => this.event(progress.type, progress)),
      this.event('response.output_item.done', { output_index: index, item: listing }),
    ];
  }

  /** An MCP call waiting for a person, as an `mcp_approval_request` item. */
  private approvalRequest(
    callId: string,
    request: NonNullable<ReturnType<typeof mcpApprovalOf>>,
  ): ResponseStreamEvent[] {
    const item: OutputItem = {
      type: 'mcp_approval_request',
      id: builtinItemId('mcpr_', callId),
      server_label: request.server_label,
      name: request.name,
      arguments: request.arguments,
    };
    const index = this.response.output.push(item) - 1;
    return [
      this.event('response.output_item.added', { output_index: index, item }),
      this.event('response.output_item.done', { output_index: index, item }),
    ];
  }

  /**
   * The calls the run waits for: the client's functions and service-agent approvals as
   * `function_call` items, MCP approvals as `mcp_approval_request` items.
   */
  private functionCalls(run: Run): ResponseStreamEvent[] {
    const out: ResponseStreamEvent[] = [];
    for (const call of run.required_action?.submit_tool_outputs.tool_calls ?? []) {
      const mcp =
        call.function.name === APPROVE_ACTION ? mcpApprovalOf(call.function.arguments) : undefined;
      if (mcp) {
        out.push(...this.approvalRequest(call.id, mcp));
        continue;
      }
      const item: OutputItem = {
        type: 'function_call',
        id: `fc_${call.id}`,
        call_id: call.id,
        name: call.function.name,
        arguments: '',
        status: 'in_progress',
      };
      const index = this.response.output.push(item) - 1;
      const fields = { item_id: item.id, output_index: index };
      out.push(
        this.event('response.output_item.added', { output_index: index, item: { ...item } }),
      );
      out.push(
        this.event('response.function_call_arguments.delta', {
          ...fields,
          delta: call.function.arguments,
        }),
      );
      item.arguments = call.function.arguments;
      out.push(
        this.event('response.function_call_arguments.done', {
          ...fields,
          name: call.function.name,
          arguments: call.function.arguments,
        }),
      );
      item.status = 'completed';
      out.push(this.event('response.output_item.done', { output_index: index, item: { ...item } }));
    }
    return out;
  }

  private settle(run: Run): ResponseStreamEvent[] {
    const out = this.reasoning.abandon();
    this.ended = true;
    const status = responseStatus(run.status);
    this.response.status = status;
    this.response.error = responseError(run);
    this.response.incomplete_details = responseIncomplete(run);
    this.response.usage = responseUsage(run.usage, this.usageBefore, this.reasoning.tokens);
    this.response.completed_at =
      status === 'completed' ? (run.completed_at ?? run.started_at ?? run.created_at) : null;
    const type =
      status === 'completed'
        ? 'response.completed'
        : status === 'incomplete'
          ? 'response.incomplete'
          : status === 'failed'
            ? 'response.failed'
            : undefined;
    // OpenAI has no stream event for a cancelled response: its stream just ends.
    if (type) out.push(this.event(type, { response: this.snapshot() }));
    return out;
  }
}

/** The whole translation of a segment's events (a resumed stream, the settle hook). */
export function translateAll(
  base: Response,
  events: readonly RunEvent[],
  include: readonly string[] = [],
  transcripts: ReadonlyMap<string, StepTranscript> = new Map(),
): ResponseTranslator {
  const translator = new ResponseTranslator(base, include, transcripts);
  for (const event of events) translator.translate(event);
  return translator;
}

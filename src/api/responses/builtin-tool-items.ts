/**
 * The built-in tools of a response as the Responses API shows them: the seam the step→item and
 * event translation calls for a tool-calls step's server-tool calls (function calls, and the
 * `approve_action` call of a service agent waiting for a person, are the core's function_call items).
 *
 * - file_search → a `file_search_call` item (`queries` from the model's arguments; `results` only
 *   with `include: ["file_search_call.results"]`), with `file_citation` annotations in the message;
 * - code_interpreter → a `code_interpreter_call` item in its container (`outputs` only with
 *   `include: ["code_interpreter_call.outputs"]`), with `container_file_citation` annotations for
 *   the files the code made;
 * - service_agent → no item of its own (OpenAI has no such item): its proposal surfaces as the
 *   `approve_action` function call, answered by `function_call_output`;
 * - mcp → an `mcp_call` item (with `approval_request_id` when a person approved it); the
 *   server's listing is an `mcp_list_tools` item made before the run (`response-mcp.ts`), and a
 *   call waiting for approval is an `mcp_approval_request` item (`response-events.ts`).
 *
 * Everything here is a pure function of the stored step and transcript, so a resumed stream
 * re-translates to the same items and events.
 */
import type { Annotation as MessageAnnotation } from '../../domain/message.ts';
import type {
  Annotation,
  CodeInterpreterCallItem,
  FileSearchCallItem,
  McpCallItem,
  OutputItem,
} from '../../domain/response-item.ts';
import type { TranscriptCall } from '../../domain/run-record.ts';
import type { RunStepStatus, StepToolCall } from '../../domain/run.ts';

export const INCLUDE_FILE_SEARCH_RESULTS = 'file_search_call.results';
export const INCLUDE_CODE_OUTPUTS = 'code_interpreter_call.outputs';

export interface BuiltinItemContext {
  /** The response's `include[]`. */
  include: readonly string[];
  /** The container the response's code_interpreter runs in (null without the tool). */
  containerId: string | null;
  /**
   * The absolute URL of a file's bytes (`<origin>/v1/files/<id>/content`, from the request's
   * origin): OpenAI's image output is a URL, and the spec requires an absolute one.
   */
  fileUrl(fileId: string): string;
}

/** A call id (`call_…`) as an item id with the item type's prefix: stable across translations. */
export function builtinItemId(prefix: 'fs_' | 'ci_' | 'mcp_' | 'mcpr_', callId: string): string {
  return prefix + callId.replace(/^call_/, '');
}

function itemStatus(stepStatus: RunStepStatus, done: boolean) {
  if (stepStatus === 'failed') return 'failed' as const;
  if (stepStatus === 'cancelled' || stepStatus === 'expired') return 'incomplete' as const;
  return done ? ('completed' as const) : ('in_progress' as const);
}

/** The queries the model searched for, from its call's arguments (`query`, or `queries`). */
function searchQueries(argumentsText: string | undefined): string[] {
  try {
    const parsed = JSON.parse(argumentsText || '{}') as { query?: unknown; queries?: unknown };
    if (typeof parsed.query === 'string') return [parsed.query];
    if (Array.isArray(parsed.queries))
      return parsed.queries.filter((query): query is string => typeof query === 'string');
  } catch {
    // A model that sent no JSON searched for nothing we can show.
  }
  return [];
}

/**
 * The output item of one server-tool call of a tool-calls step, or undefined for a call that has
 * none (function calls; service_agent). `transcript` is the engine's record of the same call (the
 * model's arguments, what it read back); `stepStatus` is the step's.
 */
export function builtinToolItem(
  call: StepToolCall,
  transcript: TranscriptCall | undefined,
  stepStatus: RunStepStatus,
  context: BuiltinItemContext,
): OutputItem | undefined {
  const done = transcript?.output != null || stepStatus === 'completed';
  if (call.type === 'file_search') {
    const include = context.include.includes(INCLUDE_FILE_SEARCH_RESULTS);
    const item: FileSearchCallItem = {
      type: 'file_search_call',
      id: builtinItemId('fs_', call.id),
      queries: searchQueries(transcript?.arguments),
      status: itemStatus(stepStatus, done),
      results:
        include && done
          ? (call.file_search.results ?? []).map((result) => ({
              file_id: result.file_id,
              filename: result.file_name,
              score: result.score,
              text: (result.content ?? []).map((part) => part.text).join('\n'),
              attributes: {},
            }))
          : null,
    };
    return item;
  }
  if (call.type === 'code_interpreter') {
    const include = context.include.includes(INCLUDE_CODE_OUTPUTS);
    const status = itemStatus(stepStatus, done);
    const item: CodeInterpreterCallItem = {
      type: 'code_interpreter_call',
      id: builtinItemId('ci_', call.id),
      code: call.code_interpreter.input,
      container_id: context.containerId ?? '',
      outputs:
        include && done
          ? call.code_interpreter.outputs.map((output) =>
              output.type === 'logs'
                ? { type: 'logs' as const, logs: output.logs }
                : { type: 'image' as const, url: context.fileUrl(output.image.file_id) },
            )
          : null,
      // OpenAI's item reads `interpreting` while the code runs.
      status: status === 'in_progress' && call.code_interpreter.input ? 'interpreting' : status,
    };
    return item;
  }
  if (call.type === 'mcp') {
    const approval = transcript?.approval?.callId;
    const status = call.mcp.status;
    const item: McpCallItem = {
      type: 'mcp_call',
      id: builtinItemId('mcp_', call.id),
      server_label: call.mcp.server_label,
      name: call.mcp.name,
      arguments: call.mcp.arguments,
      output: call.mcp.output,
      error: call.mcp.error,
      status:
        status === 'completed'
          ? 'completed'
          : status === 'failed'
            ? 'failed'
            : status === 'declined'
              ? 'incomplete'
              : itemStatus(stepStatus, false),
      approval_request_id: approval ? builtinItemId('mcpr_', approval) : null,
    };
    return item;
  }
  return undefined;
}

/** A streamed event before the translation numbers it. */
export type UnnumberedEvent = { type: string } & Record<string, unknown>;

/**
 * The progress events of a built-in tool item, in the order OpenAI sends them between the item's
 * `response.output_item.added` and `response.output_item.done`: `in_progress`, then `searching`
 * (file_search) or the code's `delta` and `done` then `interpreting` (code_interpreter), then
 * `completed` once the call finished. For an item still running, the events so far.
 */
export function builtinToolEvents(item: OutputItem, outputIndex: number): UnnumberedEvent[] {
  const at = { output_index: outputIndex, item_id: item.id };
  if (item.type === 'file_search_call') {
    const finished = item.status === 'completed';
    return [
      { type: 'response.file_search_call.in_progress', ...at },
      { type: 'response.file_search_call.searching', ...at },
      ...(finished ? [{ type: 'response.file_search_call.completed', ...at }] : []),
    ];
  }
  if (item.type === 'code_interpreter_call') {
    const finished = item.status === 'completed';
    const code = item.code ?? '';
    return [
      { type: 'response.code_interpreter_call.in_progress', ...at },
      ...(code ? [{ type: 'response.code_interpreter_call_code.delta', ...at, delta: code }] : []),
      { type: 'response.code_interpreter_call_code.done', ...at, code },
      { type: 'response.code_interpreter_call.interpreting', ...at },
      ...(finished ? [{ type: 'response.code_interpreter_call.completed', ...at }] : []),
    ];
  }
  if (item.type === 'mcp_call') {
    const ended = item.status === 'failed' || item.status === 'incomplete';
    return [
      { type: 'response.mcp_call.in_progress', ...at },
      { type: 'response.mcp_call_arguments.delta', ...at, delta: item.arguments },
      { type: 'response.mcp_call_arguments.done', ...at, arguments: item.arguments },
      { type: ended ? 'response.mcp_call.failed' : 'response.mcp_call.completed', ...at },
    ];
  }
  if (item.type === 'mcp_list_tools') {
    return [
      { type: 'response.mcp_list_tools.in_progress', ...at },
      {
        type: item.error ? 'response.mcp_list_tools.failed' : 'response.mcp_list_tools.completed',
        ...at,
      },
    ];
  }
  return [];
}

export interface AnnotationContext {
  /** The response's container (for files the code made), or null. */
  containerId: string | null;
  /** The name of each cited file, as the message's file_search results named it. */
  filename(fileId: string): string;
}

/**
 * A message annotation of the run (Assistants' shape: the marker text and its span) as the
 * Responses API shows it: a `file_citation` at the marker's position, and for a file the code made
 * (`sandbox:/mnt/data/<name>`) a `container_file_citation` over the link in its container, or a
 * `file_path` when there is no container.
 */
export function toResponseAnnotation(
  annotation: MessageAnnotation,
  context: AnnotationContext,
): Annotation {
  if (annotation.type === 'file_citation') {
    const fileId = annotation.file_citation.file_id;
    return {
      type: 'file_citation',
      file_id: fileId,
      filename: context.filename(fileId),
      index: annotation.start_index,
    };
  }
  const fileId = annotation.file_path.file_id;
  if (!context.containerId)
    return { type: 'file_path', file_id: fileId, index: annotation.start_index };
  return {
    type: 'container_file_citation',
    container_id: context.containerId,
    file_id: fileId,
    filename: annotation.text.split('/').pop() ?? annotation.text,
    start_index: annotation.start_index,
    end_index: annotation.end_index,
  };
}

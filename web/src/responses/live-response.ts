/**
 * Folds a response's stream events (`POST /v1/responses` with `stream: true`) into what the chat
 * shows while it streams: the response object, its output items (text and function-call arguments
 * appended delta by delta, as the official SDK accumulates them), and every event as received, for
 * the inspector.
 */
import type {
  Response,
  ResponseOutputItem,
  ResponseOutputMessage,
} from 'openai/resources/responses/responses';
import type { StreamEvent } from '../api/server-sent-events.ts';

export interface LiveResponse {
  response: Response | undefined;
  items: ResponseOutputItem[];
  /** Every event received, in order (the inspector lists them). */
  events: StreamEvent[];
  error: string | undefined;
}

export const EMPTY_LIVE_RESPONSE: LiveResponse = {
  response: undefined,
  items: [],
  events: [],
  error: undefined,
};

interface Positioned {
  output_index: number;
  content_index?: number;
  item?: ResponseOutputItem;
  part?: ResponseOutputMessage['content'][number];
  delta?: string;
  response?: Response;
  message?: string;
  error?: { message?: string };
}

function replaceAt<Item>(items: Item[], index: number, item: Item): Item[] {
  const next = [...items];
  next[index] = item;
  return next;
}

function withText(item: ResponseOutputItem, contentIndex: number, delta: string) {
  if (item.type !== 'message') return item;
  const current = item.content[contentIndex];
  const text = current?.type === 'output_text' ? current.text : '';
  const part = { type: 'output_text' as const, text: text + delta, annotations: [], logprobs: [] };
  return { ...item, content: replaceAt(item.content, contentIndex, part) };
}

/** The state after one event; events this view does not show only join the event list. */
export function applyResponseEvent(state: LiveResponse, event: StreamEvent): LiveResponse {
  const next = { ...state, events: [...state.events, event] };
  const data = event.data as Positioned;
  const item = state.items[data.output_index];
  switch (event.event) {
    case 'response.created':
    case 'response.queued':
    case 'response.in_progress':
      return { ...next, response: data.response };
    case 'response.completed':
    case 'response.failed':
    case 'response.incomplete':
      return {
        ...next,
        response: data.response,
        items: data.response?.output ?? next.items,
        error: data.response?.error?.message ?? next.error,
      };
    case 'response.output_item.added':
    case 'response.output_item.done':
      return data.item
        ? { ...next, items: replaceAt(next.items, data.output_index, data.item) }
        : next;
    case 'response.content_part.added':
      if (item?.type !== 'message' || !data.part) return next;
      return {
        ...next,
        items: replaceAt(next.items, data.output_index, {
          ...item,
          content: replaceAt(item.content, data.content_index ?? 0, data.part),
        }),
      };
    case 'response.output_text.delta':
      if (!item) return next;
      return {
        ...next,
        items: replaceAt(
          next.items,
          data.output_index,
          withText(item, data.content_index ?? 0, data.delta ?? ''),
        ),
      };
    case 'response.function_call_arguments.delta':
      if (item?.type !== 'function_call') return next;
      return {
        ...next,
        items: replaceAt(next.items, data.output_index, {
          ...item,
          arguments: item.arguments + (data.delta ?? ''),
        }),
      };
    case 'error':
      return { ...next, error: data.message ?? data.error?.message ?? 'The stream failed.' };
    default:
      return next;
  }
}

/**
 * The function calls a settled response is waiting on: a response that paused for tool outputs
 * (or for an `approve_action` decision) ends `completed` with them as its last items.
 */
export function pendingCalls(live: LiveResponse) {
  if (live.response?.status !== 'completed') return [];
  return live.items.flatMap((item) => (item.type === 'function_call' ? [item] : []));
}

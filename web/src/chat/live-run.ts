/**
 * Folds a run's server-sent events into what the chat shows while the run streams: the run object, the
 * messages it writes (text deltas appended as they arrive), and its steps (tool-call deltas merged by
 * index, as the official SDK merges them).
 */
import type { Message, MessageContent, Run, RunStep, StepToolCall } from '../api/api-objects.ts';
import type { StreamEvent } from '../api/server-sent-events.ts';

export interface LiveRun {
  run: Run | undefined;
  messages: Message[];
  steps: RunStep[];
  error: string | undefined;
}

export const EMPTY_LIVE_RUN: LiveRun = {
  run: undefined,
  messages: [],
  steps: [],
  error: undefined,
};

type Indexed<Value> = Value & { index: number };

function upsert<Item extends { id: string }>(items: Item[], item: Item): Item[] {
  return items.some((existing) => existing.id === item.id)
    ? items.map((existing) => (existing.id === item.id ? item : existing))
    : [...items, item];
}

function appendContent(
  content: MessageContent[],
  deltas: Array<Indexed<Partial<MessageContent>>>,
): MessageContent[] {
  const next = [...content];
  for (const { index, ...delta } of deltas) {
    const current = next[index];
    if (delta.type === 'text' && 'text' in delta && delta.text) {
      const previous = current?.type === 'text' ? current.text : { value: '', annotations: [] };
      next[index] = {
        type: 'text',
        text: {
          value: previous.value + (delta.text.value ?? ''),
          annotations: [...previous.annotations, ...(delta.text.annotations ?? [])],
        },
      };
    } else if (!current) {
      next[index] = delta as MessageContent;
    }
  }
  return next;
}

/** Merges a partial tool call into the one at the same index: strings are appended, arrays extended. */
function mergeToolCall(
  current: Record<string, unknown> | undefined,
  delta: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'index') continue;
    const existing = merged[key];
    if (
      typeof value === 'string' &&
      typeof existing === 'string' &&
      key !== 'id' &&
      key !== 'type' &&
      key !== 'name'
    )
      merged[key] = existing + value;
    else if (Array.isArray(value) && Array.isArray(existing)) merged[key] = [...existing, ...value];
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      merged[key] = mergeToolCall(
        existing as Record<string, unknown> | undefined,
        value as Record<string, unknown>,
      );
    } else merged[key] = value;
  }
  return merged;
}

function applyStepDelta(step: RunStep, toolCallDeltas: Array<Record<string, unknown>>): RunStep {
  if (step.step_details.type !== 'tool_calls') return step;
  const calls: Array<Record<string, unknown>> = [
    ...(step.step_details.tool_calls as unknown as Array<Record<string, unknown>>),
  ];
  for (const delta of toolCallDeltas) {
    const index = typeof delta['index'] === 'number' ? delta['index'] : calls.length;
    calls[index] = mergeToolCall(calls[index], delta);
  }
  return {
    ...step,
    step_details: { type: 'tool_calls', tool_calls: calls as unknown as StepToolCall[] },
  };
}

/** The state after one event; events this view does not show leave it unchanged. */
export function applyRunEvent(state: LiveRun, { event, data }: StreamEvent): LiveRun {
  if (event.startsWith('thread.run.step.')) {
    if (event === 'thread.run.step.delta') {
      const delta = data as {
        id: string;
        delta: { step_details?: { tool_calls?: Array<Record<string, unknown>> } };
      };
      const calls = delta.delta.step_details?.tool_calls ?? [];
      return {
        ...state,
        steps: state.steps.map((step) =>
          step.id === delta.id ? applyStepDelta(step, calls) : step,
        ),
      };
    }
    return { ...state, steps: upsert(state.steps, data as RunStep) };
  }
  if (event.startsWith('thread.run.')) return { ...state, run: data as Run };
  if (event === 'thread.message.delta') {
    const delta = data as {
      id: string;
      delta: { content?: Array<Indexed<Partial<MessageContent>>> };
    };
    return {
      ...state,
      messages: state.messages.map((message) =>
        message.id === delta.id
          ? { ...message, content: appendContent(message.content, delta.delta.content ?? []) }
          : message,
      ),
    };
  }
  if (event.startsWith('thread.message.'))
    return { ...state, messages: upsert(state.messages, data as Message) };
  if (event === 'error') {
    const error = data as { message?: string; error?: { message?: string } };
    return { ...state, error: error.message ?? error.error?.message ?? 'The stream failed.' };
  }
  return state;
}

/** Whether a run may still change without the user doing anything. */
export function isActive(run: Run | undefined): boolean {
  return run !== undefined && ['queued', 'in_progress', 'cancelling'].includes(run.status);
}

/** Builders for the messages and steps a run creates, so every phase shapes them the same way. */
import { nowSeconds } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import type { Message } from '../domain/message.ts';
import type { Run, RunStep, StepDetails, Usage } from '../domain/run.ts';
import type { TextDeltaPart } from './annotated-text-stream.ts';
import { JsonText } from '../domain/json-text.ts';

export function newAssistantMessage(run: Run): Message {
  return {
    id: newId('message'),
    object: 'thread.message',
    created_at: nowSeconds(),
    thread_id: run.thread_id,
    status: 'in_progress',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: 'assistant',
    content: [],
    assistant_id: run.assistant_id,
    run_id: run.id,
    attachments: [],
    metadata: {},
  };
}

export function newStep(run: Run, details: StepDetails): RunStep {
  return {
    id: newId('step'),
    object: 'thread.run.step',
    created_at: nowSeconds(),
    assistant_id: run.assistant_id,
    thread_id: run.thread_id,
    run_id: run.id,
    type: details.type,
    status: 'in_progress',
    step_details: details,
    last_error: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    metadata: {},
    usage: null,
  };
}

/**
 * A turn's message and its message_creation step, with their events' data serialized once each: built
 * before the model answers, so the first text does only what must follow it (the commit, the frames).
 */
export interface MessageOpening {
  message: Message;
  step: RunStep;
  /** The events' data, serialized once each (a step announced twice is one text). */
  messageJson: JsonText;
  stepJson: JsonText;
}

export function newMessageOpening(run: Run): MessageOpening {
  const message = newAssistantMessage(run);
  const step = newStep(run, {
    type: 'message_creation',
    message_creation: { message_id: message.id },
  });
  return {
    message,
    step,
    messageJson: new JsonText(JSON.stringify(message)),
    stepJson: new JsonText(JSON.stringify(step)),
  };
}

export function usageOf(prompt: number, completion: number): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/**
 * `thread.message.delta` data for a text fragment: the first one announces the annotations list, a
 * later one carries the annotations its text completes.
 */
export function textDelta(messageId: string, part: TextDeltaPart) {
  const annotations = part.first || part.annotations.length > 0 ? part.annotations : undefined;
  return {
    id: messageId,
    object: 'thread.message.delta',
    delta: {
      content: [
        {
          index: 0,
          type: 'text',
          text: annotations ? { value: part.value, annotations } : { value: part.value },
        },
      ],
    },
  };
}

/** `thread.run.step.delta` data for one tool call's fragment. */
export function toolCallDelta(stepId: string, toolCall: Record<string, unknown>) {
  return {
    id: stepId,
    object: 'thread.run.step.delta',
    delta: { step_details: { type: 'tool_calls', tool_calls: [toolCall] } },
  };
}

// A step as clients see it is shaped in domain/, so the steps API shapes it the same way.

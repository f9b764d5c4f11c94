/**
 * A run as an A2A task: the task id is the run id, the context id the thread id. Queued is `submitted`;
 * in progress (and cancelling) is `working`; requires_action is `input-required`, with the pending
 * function calls as a data part; completed, failed and cancelled map to themselves; expired and
 * incomplete are `failed` with the reason. Each assistant message of the run is one artifact.
 */
import {
  Part,
  Role,
  TaskState,
  type Artifact,
  type Message as A2aMessage,
  type StreamResponse,
  type Task,
  type TaskStatus,
} from '@a2a-js/sdk';
import type { Message } from '../../domain/message.ts';
import type { Run, RunStatus } from '../../domain/run.ts';
import type { RunEvent } from '../../domain/run-event.ts';

const STATES: Record<RunStatus, TaskState> = {
  queued: TaskState.TASK_STATE_SUBMITTED,
  in_progress: TaskState.TASK_STATE_WORKING,
  cancelling: TaskState.TASK_STATE_WORKING,
  requires_action: TaskState.TASK_STATE_INPUT_REQUIRED,
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  cancelled: TaskState.TASK_STATE_CANCELED,
  expired: TaskState.TASK_STATE_FAILED,
  incomplete: TaskState.TASK_STATE_FAILED,
};

/** How to link a file the assistant produced (its content URL on this server). */
export type FileUrl = (fileId: string) => string;

export function taskStateOf(status: RunStatus): TaskState {
  return STATES[status];
}

function agentMessage(run: Run, parts: Part[]): A2aMessage {
  return {
    messageId: `${run.id}-${run.status}`,
    contextId: run.thread_id,
    taskId: run.id,
    role: Role.ROLE_AGENT,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** Why the run stopped or what it waits for, as the status message; none for queued, running or completed. */
function statusParts(run: Run): Part[] {
  switch (run.status) {
    case 'requires_action': {
      const calls = run.required_action?.submit_tool_outputs.tool_calls ?? [];
      return [
        Part.fromJSON({
          text:
            `The assistant needs the results of ${calls.length === 1 ? 'a function call' : `${calls.length} function calls`}: ${calls.map((call) => call.function.name).join(', ')}. ` +
            'Reply on this task with a data part {"tool_outputs": [{"tool_call_id": "…", "output": "…"}]}; for a single call, the output alone (text or data) is enough.',
        }),
        Part.fromJSON({ data: { tool_calls: calls } }),
      ];
    }
    case 'failed':
      return [Part.fromJSON({ text: run.last_error?.message ?? 'The run failed.' })];
    case 'expired':
      return [
        Part.fromJSON({
          text: 'The run expired: it waited for input longer than the server allows.',
        }),
      ];
    case 'incomplete':
      return [
        Part.fromJSON({
          text: `The answer is incomplete (${run.incomplete_details?.reason ?? 'stopped early'}).`,
        }),
      ];
    case 'cancelled':
      return [Part.fromJSON({ text: 'The run was cancelled.' })];
    case 'cancelling':
      return [Part.fromJSON({ text: 'Cancelling.' })];
    default:
      return [];
  }
}

export function statusOf(run: Run): TaskStatus {
  const parts = statusParts(run);
  const at =
    run.completed_at ?? run.failed_at ?? run.cancelled_at ?? run.started_at ?? run.created_at;
  return {
    state: taskStateOf(run.status),
    message: parts.length ? agentMessage(run, parts) : undefined,
    timestamp: new Date(at * 1000).toISOString(),
  };
}

/** An assistant message as an artifact: its text, and each image as a link to the file's content. */
export function artifactOf(message: Message, fileUrl: FileUrl): Artifact {
  const parts = message.content.flatMap((content): Part[] => {
    if (content.type === 'text')
      return [Part.fromJSON({ text: content.text.value, mediaType: 'text/plain' })];
    if (content.type === 'image_file')
      return [
        Part.fromJSON({
          url: fileUrl(content.image_file.file_id),
          filename: content.image_file.file_id,
        }),
      ];
    if (content.type === 'image_url') return [Part.fromJSON({ url: content.image_url.url })];
    return [Part.fromJSON({ text: content.refusal, mediaType: 'text/plain' })];
  });
  return {
    artifactId: message.id,
    name: 'answer',
    description: 'A message from the assistant.',
    parts,
    metadata: undefined,
    extensions: [],
  };
}

export function taskOf(run: Run, messages: Message[], fileUrl: FileUrl): Task {
  return {
    id: run.id,
    contextId: run.thread_id,
    status: statusOf(run),
    artifacts: messages
      .filter((message) => message.role === 'assistant' && message.status !== 'in_progress')
      .map((message) => artifactOf(message, fileUrl)),
    history: [],
    metadata: {
      concierge: {
        run_id: run.id,
        thread_id: run.thread_id,
        assistant_id: run.assistant_id,
        status: run.status,
      },
    },
  };
}

const RUN_STATUS_EVENTS = new Set([
  'thread.run.in_progress',
  'thread.run.cancelling',
  'thread.run.requires_action',
  'thread.run.completed',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.expired',
  'thread.run.incomplete',
]);

/** The A2A stream event for a run event, or undefined for events A2A has no use for (deltas, steps). */
export function streamEventOf(event: RunEvent, fileUrl: FileUrl): StreamResponse | undefined {
  if (RUN_STATUS_EVENTS.has(event.event)) {
    const run = JSON.parse(event.data) as Run;
    return {
      payload: {
        $case: 'statusUpdate',
        value: {
          taskId: run.id,
          contextId: run.thread_id,
          status: statusOf(run),
          metadata: undefined,
        },
      },
    };
  }
  if (event.event === 'thread.message.completed') {
    const message = JSON.parse(event.data) as Message;
    if (message.role !== 'assistant' || !message.run_id) return undefined;
    return {
      payload: {
        $case: 'artifactUpdate',
        value: {
          taskId: message.run_id,
          contextId: message.thread_id,
          artifact: artifactOf(message, fileUrl),
          append: false,
          lastChunk: true,
          metadata: undefined,
        },
      },
    };
  }
  return undefined;
}

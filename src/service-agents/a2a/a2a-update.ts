/**
 * What the A2A client reports: a remote task's state, its artifacts and a model-facing rendering of
 * everything the remote agent said. `A2aTaskTracker` folds the SDK's events (a task, a direct message,
 * status and artifact updates, with appended chunks) into that view.
 */
import {
  TaskState,
  type Artifact,
  type Message,
  type Part,
  type StreamResponse,
  type Task,
} from '@a2a-js/sdk';
import { cleanLabel, delimitUntrusted, type UntrustedSection } from './untrusted-text.ts';

export type A2aTaskState =
  | 'submitted'
  | 'working'
  | 'input-required'
  | 'auth-required'
  | 'completed'
  | 'failed'
  | 'canceled'
  | 'rejected';

/** A file part: bytes when the agent sent them inline, else its URL (never fetched by Concierge). */
export interface A2aFile {
  name: string;
  mediaType: string;
  url: string | null;
  content: Uint8Array | null;
}

export interface A2aArtifact {
  artifactId: string;
  name: string;
  description: string;
  /** The artifact's text parts joined, as the remote sent them (untrusted; not delimited). */
  text: string;
  data: unknown[];
  files: A2aFile[];
}

export interface A2aUpdate {
  /** The remote task; empty when the agent answered with a message and created no task. */
  taskId: string;
  contextId: string;
  state: A2aTaskState;
  /**
   * The status message and every artifact (text, data as JSON, file names), each between nonce-tagged
   * markers after a preamble saying it is untrusted data: the one field meant for a model to read.
   */
  text: string;
  /** Data parts of the status message and the artifacts. */
  data: unknown[];
  artifacts: A2aArtifact[];
}

const STATES: Partial<Record<TaskState, A2aTaskState>> = {
  [TaskState.TASK_STATE_SUBMITTED]: 'submitted',
  [TaskState.TASK_STATE_WORKING]: 'working',
  [TaskState.TASK_STATE_INPUT_REQUIRED]: 'input-required',
  [TaskState.TASK_STATE_AUTH_REQUIRED]: 'auth-required',
  [TaskState.TASK_STATE_COMPLETED]: 'completed',
  [TaskState.TASK_STATE_FAILED]: 'failed',
  [TaskState.TASK_STATE_CANCELED]: 'canceled',
  [TaskState.TASK_STATE_REJECTED]: 'rejected',
};

/** Terminal states, and the two where the remote agent waits for the caller. */
const SETTLED: ReadonlySet<A2aTaskState> = new Set([
  'completed',
  'failed',
  'canceled',
  'rejected',
  'input-required',
  'auth-required',
]);

/** Whether the task has ended or waits for the caller: no more events will come on their own. */
export function isSettled(state: A2aTaskState): boolean {
  return SETTLED.has(state);
}

function textOf(parts: Part[]): string {
  return parts
    .flatMap((part) => (part.content?.$case === 'text' ? [part.content.value] : []))
    .join('\n');
}

function dataOf(parts: Part[]): unknown[] {
  return parts.flatMap((part) => (part.content?.$case === 'data' ? [part.content.value] : []));
}

/** Everything a part list says, as text for the model: text parts, then data as JSON, then file names. */
function renderParts(parts: Part[]): string {
  const files = filesOf(parts).map(
    (file) =>
      `[file ${file.name} (${file.mediaType}${file.content ? `, ${file.content.byteLength} bytes` : `, at ${file.url}`})]`,
  );
  return [textOf(parts), ...dataOf(parts).map((data) => JSON.stringify(data)), ...files]
    .filter((line) => line !== '')
    .join('\n');
}

function filesOf(parts: Part[]): A2aFile[] {
  return parts.flatMap((part): A2aFile[] => {
    const content = part.content;
    const file = {
      name: cleanLabel(part.filename ?? '', 128) || 'file',
      mediaType: part.mediaType || 'application/octet-stream',
    };
    if (content?.$case === 'raw')
      return [{ ...file, url: null, content: new Uint8Array(content.value) }];
    if (content?.$case === 'url') return [{ ...file, url: content.value, content: null }];
    return [];
  });
}

export interface TrackerOptions {
  /** Who the output is from (the agent's host), written into the preamble. */
  source: string;
  /** Most characters of remote text in `text`. */
  maxTextLength: number;
}

export class A2aTaskTracker {
  private taskId = '';
  private contextId = '';
  private state: A2aTaskState = 'submitted';
  private statusMessage: Message | undefined;
  private readonly artifacts = new Map<string, Artifact>();

  constructor(private readonly options: TrackerOptions) {}

  get currentState(): A2aTaskState {
    return this.state;
  }

  get currentTaskId(): string {
    return this.taskId;
  }

  /** Applies a whole task (a send result, `tasks/get`, `tasks/cancel`): it replaces what was known. */
  applyTask(task: Task): void {
    this.taskId = task.id;
    this.contextId = task.contextId;
    this.applyStatus(task.status);
    this.artifacts.clear();
    for (const artifact of task.artifacts) this.artifacts.set(artifact.artifactId, artifact);
  }

  /** The caller answered an interrupted task: it is working again until the agent says otherwise. */
  resume(): void {
    if (this.state === 'input-required' || this.state === 'auth-required') this.state = 'working';
  }

  /** A direct reply without a task: the exchange is complete. */
  applyMessage(message: Message): void {
    this.taskId = message.taskId || this.taskId;
    this.contextId = message.contextId || this.contextId;
    this.state = 'completed';
    this.statusMessage = message;
  }

  /** Applies one streaming event. */
  applyEvent(event: StreamResponse): void {
    const payload = event.payload;
    switch (payload?.$case) {
      case 'task':
        return this.applyTask(payload.value);
      case 'message':
        return this.applyMessage(payload.value);
      case 'statusUpdate':
        this.taskId = payload.value.taskId || this.taskId;
        this.contextId = payload.value.contextId || this.contextId;
        return this.applyStatus(payload.value.status);
      case 'artifactUpdate': {
        const artifact = payload.value.artifact;
        if (!artifact) return;
        const known = this.artifacts.get(artifact.artifactId);
        this.artifacts.set(
          artifact.artifactId,
          payload.value.append && known
            ? { ...known, parts: [...known.parts, ...artifact.parts] }
            : artifact,
        );
        return;
      }
    }
  }

  private applyStatus(status: Task['status']): void {
    if (!status) return;
    // An unknown state (a newer protocol) is treated as still working, so the client keeps following it.
    this.state = STATES[status.state] ?? 'working';
    this.statusMessage = status.message;
  }

  update(): A2aUpdate {
    const artifacts = [...this.artifacts.values()].map((artifact): A2aArtifact => ({
      artifactId: artifact.artifactId,
      name: artifact.name,
      description: artifact.description,
      text: textOf(artifact.parts),
      data: dataOf(artifact.parts),
      files: filesOf(artifact.parts),
    }));
    const statusParts = this.statusMessage?.parts ?? [];
    const sections: UntrustedSection[] = [
      { label: 'status message', text: renderParts(statusParts) },
      ...[...this.artifacts.values()].map((artifact) => ({
        label: `artifact "${cleanLabel(artifact.name) || cleanLabel(artifact.artifactId, 36)}"`,
        text: renderParts(artifact.parts),
      })),
    ];
    return {
      taskId: this.taskId,
      contextId: this.contextId,
      state: this.state,
      text: delimitUntrusted(this.options.source, sections, this.options.maxTextLength),
      data: [...dataOf(statusParts), ...artifacts.flatMap((artifact) => artifact.data)],
      artifacts,
    };
  }
}

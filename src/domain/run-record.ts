/**
 * What the engine keeps of a run beyond its public objects: the run with its options and lease, the
 * events written with a status change, and the transcript a tool-calls step replays to the model.
 * Storage persists these; the engine reads and writes them.
 */
import type { MessageContent } from './message.ts';
import type { Run, RunOptions } from './run.ts';
import type { RunEvent } from './run-event.ts';

/** A run as the engine sees it: the public object plus what only the server needs. */
export interface RunRecord {
  projectId: string;
  run: Run;
  options: RunOptions;
  /** The worker holding the run, and until when (Unix milliseconds). */
  lockedBy: string | null;
  leaseUntil: number | null;
}

/** Events written with a status change, in the same transaction. */
export type NewRunEvent = Omit<RunEvent, 'seq'>;

/** One call of a tool-calls step, as the engine keeps it. */
export interface TranscriptCall {
  id: string;
  /** The tool name the model used. */
  name: string;
  arguments: string;
  /** What the model read back; null while the call is pending. */
  output: string | null;
  /**
   * A server tool's pending `approve_action` call, and the client's answer once submitted, with the
   * project key that submitted it (null for the admin key or dev mode).
   */
  approval?: {
    callId: string;
    name?: string;
    arguments: string;
    output: string | null;
    keyId?: string | null;
  };
  /** Content the tool produced for the assistant's next message (images). */
  messageContent?: MessageContent[];
  /** Files the tool produced, by the name the model may link (`sandbox:/mnt/data/<name>`). */
  files?: Array<{ name: string; fileId: string }>;
}

/** How a tool-calls step replays to the model: each call as the model made it, and what it read back. */
export interface StepTranscript {
  calls: TranscriptCall[];
  /** Tokens of the model call that made these calls; the step shows them once it completes. */
  usage?: { prompt: number; completion: number };
  /**
   * What the model reasoned in the turn that made these calls, replayed before them in the run's
   * next turns, with the provider's signature when it gave one (Anthropic reads thinking back only
   * signed, and wants it before a turn's tool calls when thinking is on).
   */
  reasoning?: TranscriptReasoning[];
}

/** One reasoning block of a turn: its text, and the provider's signature of it when there is one. */
export interface TranscriptReasoning {
  text: string;
  signature?: string;
}

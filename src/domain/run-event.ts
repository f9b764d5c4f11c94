/** The server-sent events of a run, with OpenAI's names, as stored and streamed. */

export type RunEventName =
  | 'thread.created'
  | 'thread.run.created'
  | 'thread.run.queued'
  | 'thread.run.in_progress'
  | 'thread.run.requires_action'
  | 'thread.run.completed'
  | 'thread.run.incomplete'
  | 'thread.run.failed'
  | 'thread.run.cancelling'
  | 'thread.run.cancelled'
  | 'thread.run.expired'
  | 'thread.run.step.created'
  | 'thread.run.step.in_progress'
  | 'thread.run.step.delta'
  | 'thread.run.step.completed'
  | 'thread.run.step.failed'
  | 'thread.run.step.cancelled'
  | 'thread.run.step.expired'
  | 'thread.message.created'
  | 'thread.message.in_progress'
  | 'thread.message.delta'
  | 'thread.message.completed'
  | 'thread.message.incomplete'
  | ReasoningEvent['event']
  | 'error';

/**
 * The model's reasoning, stored for runs that keep it (a response's, for its `reasoning` items; see
 * `engine/turn-reasoning.ts`). These are ours, not OpenAI's Assistants events: an Assistants run never
 * stores them.
 */
export type ReasoningEvent =
  | { event: 'thread.reasoning.created'; data: { id: string } }
  | { event: 'thread.reasoning.delta'; data: { id: string; delta: string } }
  | {
      event: 'thread.reasoning.completed';
      data: {
        id: string;
        text: string;
        status: 'completed' | 'incomplete';
        /** The provider's signature of the text, when it gave one (Anthropic's thinking). */
        signature?: string;
      };
    }
  | { event: 'thread.reasoning.tokens'; data: { reasoning_tokens: number } };

/** One stored event: `seq` orders a run's events from 1 with no gaps. */
export interface RunEvent {
  runId: string;
  seq: number;
  event: RunEventName;
  /** The event's `data`, as JSON text. */
  data: string;
}

/** Run events after which a stream of that run ends (followed by `done`). */
export const STREAM_ENDING_EVENTS: ReadonlySet<RunEventName> = new Set([
  'thread.run.requires_action',
  'thread.run.completed',
  'thread.run.incomplete',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.expired',
]);

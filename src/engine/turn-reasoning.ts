/**
 * A model turn's reasoning as run events: `thread.reasoning.created`, a `thread.reasoning.delta` per
 * streamed fragment, and `thread.reasoning.completed` with the whole text, closed before the turn's
 * message or tool calls begin. Only runs whose options ask for them store these events (a response's
 * reasoning items are translated from them); an Assistants run has no place to show reasoning, so
 * its model's reasoning is read and not kept.
 */
import { newId } from '../domain/ids.ts';
import type { ReasoningEvent } from '../domain/run-event.ts';
import type { RunWriter } from './run-writer.ts';

/** The reasoning item open in the current turn. */
export class TurnReasoning {
  private open: { id: string; text: string } | undefined;

  constructor(
    private readonly writer: RunWriter,
    /** Whether the run stores its reasoning (`RunOptions.reasoning_events`). */
    readonly kept: boolean,
  ) {}

  /** Appends a fragment, opening the item on the first one. */
  push(delta: string): void {
    if (!this.kept) return;
    if (!this.open) {
      this.open = { id: newId('reasoning'), text: '' };
      this.emit({ event: 'thread.reasoning.created', data: { id: this.open.id } });
    }
    this.open.text += delta;
    this.emit({ event: 'thread.reasoning.delta', data: { id: this.open.id, delta } });
  }

  /** Ends the open item: `completed` when the model moved on, `incomplete` when the turn broke off. */
  close(status: 'completed' | 'incomplete' = 'completed'): void {
    if (!this.open) return;
    const { id, text } = this.open;
    this.open = undefined;
    this.emit({ event: 'thread.reasoning.completed', data: { id, text, status } });
  }

  /** The turn's reasoning tokens as the provider reported them (none reported, nothing stored). */
  tokens(reasoningTokens: number | undefined): void {
    if (this.kept && reasoningTokens)
      this.emit({ event: 'thread.reasoning.tokens', data: { reasoning_tokens: reasoningTokens } });
  }

  private emit(event: ReasoningEvent): void {
    this.writer.emit(event.event, event.data);
  }
}

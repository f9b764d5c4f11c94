/**
 * A model turn's reasoning. Every run keeps the turn's reasoning blocks (text, and the provider's
 * signature) for its tool-calls step's transcript, so the run's next turn sends them back to the
 * model before the calls they led to. Runs whose options ask for them also store run events:
 * `thread.reasoning.created`, a `thread.reasoning.delta` per streamed fragment, and
 * `thread.reasoning.completed` with the whole text (and signature), closed before the turn's message
 * or tool calls begin; a response's reasoning items are translated from them. An Assistants run has
 * no place to show reasoning, so it stores no events.
 */
import { newId } from '../domain/ids.ts';
import type { TranscriptReasoning } from '../domain/run-record.ts';
import type { ReasoningEvent } from '../domain/run-event.ts';
import type { RunWriter } from './run-writer.ts';

/** The reasoning of the current turn: the blocks it closed, and the one open. */
export class TurnReasoning {
  private open: { id: string; text: string; signature?: string } | undefined;
  /** The turn's closed blocks, oldest first. */
  readonly blocks: TranscriptReasoning[] = [];

  constructor(
    private readonly writer: RunWriter,
    /** Whether the run stores its reasoning (`RunOptions.reasoning_events`). */
    readonly kept: boolean,
  ) {}

  /** Appends a fragment, opening the block on the first one. */
  push(delta: string): void {
    if (!this.open) {
      this.open = { id: newId('reasoning'), text: '' };
      this.emit({ event: 'thread.reasoning.created', data: { id: this.open.id } });
    }
    this.open.text += delta;
    this.emit({ event: 'thread.reasoning.delta', data: { id: this.open.id, delta } });
  }

  /** The provider's signature of the open block (it comes after the block's text). */
  sign(signature: string): void {
    if (this.open) this.open.signature = signature;
  }

  /** Ends the open block: `completed` when the model moved on, `incomplete` when the turn broke off. */
  close(status: 'completed' | 'incomplete' = 'completed'): void {
    if (!this.open) return;
    const { id, text, signature } = this.open;
    this.open = undefined;
    if (status === 'completed') this.blocks.push({ text, ...(signature ? { signature } : {}) });
    this.emit({
      event: 'thread.reasoning.completed',
      data: { id, text, status, ...(signature ? { signature } : {}) },
    });
  }

  /** The turn's reasoning tokens as the provider reported them (none reported, nothing stored). */
  tokens(reasoningTokens: number | undefined): void {
    if (reasoningTokens)
      this.emit({ event: 'thread.reasoning.tokens', data: { reasoning_tokens: reasoningTokens } });
  }

  private emit(event: ReasoningEvent): void {
    if (this.kept) this.writer.emit(event.event, event.data);
  }
}

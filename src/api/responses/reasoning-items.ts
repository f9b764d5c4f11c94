/**
 * A response's `reasoning` items, translated from the run's `thread.reasoning.*` events
 * (`engine/turn-reasoning.ts`) in OpenAI's order, which the SDK's `responses.stream()` accumulates:
 * `output_item.added` (an `rs_…` item with `summary: []`), `content_part.added` (a `reasoning_text`
 * part), `reasoning_text.delta`…, `reasoning_text.done`, `content_part.done`, `output_item.done`.
 * Open Responses names the text events `response.reasoning.delta`/`.done`; we send OpenAI's names,
 * which are the ones its SDK reads. The provider's reasoning is returned in clear; what a provider
 * needs besides the text to read it back (Anthropic's thinking signature) is the item's
 * `encrypted_content`, shown when `include[]` has `reasoning.encrypted_content`, as OpenAI does
 * (docs/compatibility.md).
 */
import type { OutputItem, ReasoningItem } from '../../domain/response-item.ts';
import type { ReasoningEvent } from '../../domain/run-event.ts';

/** The `include[]` value that shows a reasoning item's `encrypted_content`. */
export const INCLUDE_REASONING_ENCRYPTED = 'reasoning.encrypted_content';

const PREFIX = 'concierge.reasoning.v1.';

/** A reasoning block's provider signature as an item's `encrypted_content`. */
export function encodeReasoning(signature: string): string {
  return PREFIX + Buffer.from(JSON.stringify({ signature }), 'utf8').toString('base64url');
}

/**
 * The provider signature an item's `encrypted_content` carries, or undefined when it is not one of
 * ours (OpenAI's own encrypted reasoning, which no provider here could read).
 */
export function decodeReasoning(content: string | null | undefined): string | undefined {
  if (!content?.startsWith(PREFIX)) return undefined;
  try {
    const value: unknown = JSON.parse(
      Buffer.from(content.slice(PREFIX.length), 'base64url').toString('utf8'),
    );
    if (value && typeof value === 'object' && 'signature' in value)
      return typeof value.signature === 'string' ? value.signature : undefined;
  } catch {
    // Not JSON: not ours.
  }
  return undefined;
}

export class ReasoningItems<Event extends { type: string }> {
  private open: { item: ReasoningItem; index: number; text: string } | undefined;
  /** The reasoning tokens the provider reported for the segment's turns. */
  tokens = 0;

  constructor(
    private readonly output: OutputItem[],
    private readonly event: (type: string, fields: Record<string, unknown>) => Event,
    /** Whether items show the provider's signature as `encrypted_content` (`include[]`). */
    private readonly encrypted = false,
  ) {}

  /** The response events of one reasoning run event. */
  translate({ event, data }: ReasoningEvent): Event[] {
    switch (event) {
      case 'thread.reasoning.created':
        return [...this.close(undefined, 'incomplete'), ...this.begin(data.id)];
      case 'thread.reasoning.delta':
        return this.delta(data.id, data.delta);
      case 'thread.reasoning.completed':
        return this.close(data.text, data.status, data.id, data.signature);
      case 'thread.reasoning.tokens':
        this.tokens += data.reasoning_tokens;
        return [];
    }
  }

  /**
   * Ends an item left open (a worker died mid-turn, and its retry reasons again; or the response
   * settles): `incomplete`, with the text its deltas carried.
   */
  abandon(): Event[] {
    return this.close(undefined, 'incomplete');
  }

  private begin(id: string): Event[] {
    const item: ReasoningItem = {
      type: 'reasoning',
      id,
      summary: [],
      content: [{ type: 'reasoning_text', text: '' }],
      status: 'in_progress',
    };
    const index = this.output.push(item) - 1;
    this.open = { item, index, text: '' };
    return [
      this.event('response.output_item.added', {
        output_index: index,
        item: { ...item, content: [] },
      }),
      this.event('response.content_part.added', {
        item_id: id,
        output_index: index,
        content_index: 0,
        part: { type: 'reasoning_text', text: '' },
      }),
    ];
  }

  private delta(id: string, delta: string): Event[] {
    if (this.open?.item.id !== id) return [];
    this.open.text += delta;
    return [
      this.event('response.reasoning_text.delta', {
        item_id: id,
        output_index: this.open.index,
        content_index: 0,
        delta,
      }),
    ];
  }

  private close(
    text: string | undefined,
    status: 'completed' | 'incomplete',
    id?: string,
    signature?: string,
  ): Event[] {
    const open = this.open;
    if (!open || (id !== undefined && open.item.id !== id)) return [];
    this.open = undefined;
    const part = { type: 'reasoning_text' as const, text: text ?? open.text };
    open.item.content = [part];
    open.item.status = status;
    if (signature && this.encrypted) open.item.encrypted_content = encodeReasoning(signature);
    const fields = { item_id: open.item.id, output_index: open.index, content_index: 0 };
    return [
      this.event('response.reasoning_text.done', { ...fields, text: part.text }),
      this.event('response.content_part.done', { ...fields, part: { ...part } }),
      this.event('response.output_item.done', {
        output_index: open.index,
        item: structuredClone(open.item),
      }),
    ];
  }
}

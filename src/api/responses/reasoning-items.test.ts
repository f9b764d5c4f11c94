/**
 * Reasoning run events as `reasoning` items: the item a worker's death left open ends `incomplete`
 * with the text its deltas carried, before the retry's item; the final item is the same whether the
 * deltas are read or left out (the settle hook leaves them out); reported tokens add up.
 */
import { describe, expect, it } from 'vitest';
import type { OutputItem } from '../../domain/response-item.ts';
import type { ReasoningEvent } from '../../domain/run-event.ts';
import { ReasoningItems } from './reasoning-items.ts';

type Event = { type: string } & Record<string, unknown>;

function translate(events: ReasoningEvent[], settle = false) {
  const output: OutputItem[] = [];
  const items = new ReasoningItems<Event>(output, (type, fields) => ({ type, ...fields }));
  const out = events.flatMap((event) => items.translate(event));
  if (settle) out.push(...items.abandon());
  return { output, out, tokens: items.tokens };
}

const created = (id: string): ReasoningEvent => ({
  event: 'thread.reasoning.created',
  data: { id },
});
const delta = (id: string, text: string): ReasoningEvent => ({
  event: 'thread.reasoning.delta',
  data: { id, delta: text },
});
const completed = (id: string, text: string): ReasoningEvent => ({
  event: 'thread.reasoning.completed',
  data: { id, text, status: 'completed' },
});

const tokens = (count: number): ReasoningEvent => ({
  event: 'thread.reasoning.tokens',
  data: { reasoning_tokens: count },
});

describe('reasoning items', () => {
  it('ends an item a dead worker left open as incomplete, before the retry’s item', () => {
    const { output, out } = translate([
      created('rs_1'),
      delta('rs_1', 'Half a '),
      delta('rs_1', 'thought'),
      created('rs_2'),
      delta('rs_2', 'Whole.'),
      completed('rs_2', 'Whole.'),
    ]);
    expect(output).toEqual([
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [],
        content: [{ type: 'reasoning_text', text: 'Half a thought' }],
        status: 'incomplete',
      },
      {
        type: 'reasoning',
        id: 'rs_2',
        summary: [],
        content: [{ type: 'reasoning_text', text: 'Whole.' }],
        status: 'completed',
      },
    ]);
    expect(out.map((event) => `${event.type} ${event['output_index']}`)).toEqual([
      'response.output_item.added 0',
      'response.content_part.added 0',
      'response.reasoning_text.delta 0',
      'response.reasoning_text.delta 0',
      'response.reasoning_text.done 0',
      'response.content_part.done 0',
      'response.output_item.done 0',
      'response.output_item.added 1',
      'response.content_part.added 1',
      'response.reasoning_text.delta 1',
      'response.reasoning_text.done 1',
      'response.content_part.done 1',
      'response.output_item.done 1',
    ]);
  });

  it('makes the same item with or without the deltas, and closes what the run left open', () => {
    const whole = [
      created('rs_1'),
      delta('rs_1', 'A'),
      delta('rs_1', 'B'),
      completed('rs_1', 'AB'),
    ];
    const withoutDeltas = whole.filter((event) => event.event !== 'thread.reasoning.delta');
    expect(translate(withoutDeltas).output).toEqual(translate(whole).output);

    const open = translate([created('rs_9'), delta('rs_9', 'cut')], true);
    expect(open.output[0]).toMatchObject({
      status: 'incomplete',
      content: [{ type: 'reasoning_text', text: 'cut' }],
    });
    expect(open.out.at(-1)).toMatchObject({ type: 'response.output_item.done', output_index: 0 });
  });

  it('adds up the reasoning tokens of the segment’s turns', () => {
    expect(translate([tokens(4), tokens(3)]).tokens).toBe(7);
  });
});

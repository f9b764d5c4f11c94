import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../domain/run-event.ts';
import { createInProcessEventBus } from './event-bus/in-process-event-bus.ts';
import { EventSink } from './event-sink.ts';

const event = (runId: string, seq: number): RunEvent => ({
  runId,
  seq,
  event: 'thread.message.delta',
  data: '{}',
});

/** A run events store whose inserts finish when the test says so. */
function heldInserts() {
  const inserts: Array<{ events: RunEvent[]; finish(): void }> = [];
  return {
    inserts,
    events: {
      append: (events: RunEvent[]) =>
        new Promise<void>((finish) => inserts.push({ events, finish })),
      listAfter: async () => [],
      lastSeq: async () => 0,
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the event sink', () => {
  it('sends one insert at a time: what arrives meanwhile goes in the next one, together', async () => {
    const { inserts, events } = heldInserts();
    const bus = createInProcessEventBus();
    const published: string[] = [];
    for (const runId of ['a', 'b', 'c'])
      bus.subscribe(runId, (item) => published.push(`${item.runId}${item.seq}`));
    const sink = new EventSink(events, bus);
    const first = sink.append([event('a', 1)]);
    await turn();
    expect(inserts.map((insert) => insert.events.length)).toEqual([1]);
    // Two more runs' deltas, in later turns of the loop, while the first insert is out.
    const second = sink.append([event('b', 1)]);
    await turn();
    const third = sink.append([event('c', 1), event('c', 2)]);
    await turn();
    expect(inserts).toHaveLength(1);
    expect(published).toEqual([]);
    inserts[0]!.finish();
    await first;
    expect(published).toEqual(['a1']);
    await turn();
    expect(
      inserts.map((insert) => insert.events.map((item) => `${item.runId}${item.seq}`)),
    ).toEqual([['a1'], ['b1', 'c1', 'c2']]);
    inserts[1]!.finish();
    await Promise.all([second, third]);
    expect(published).toEqual(['a1', 'b1', 'c1', 'c2']);
  });
});

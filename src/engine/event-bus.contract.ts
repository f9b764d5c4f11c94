/**
 * The contract every event bus passes. A bus pair is a sender and a receiver: the same bus for the
 * in-process adapter, two processes' buses (here two instances) for PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../domain/run-event.ts';
import type { EventBus } from './event-bus.ts';

export interface EventBusPair {
  sender: EventBus;
  receiver: EventBus;
  /** Stores events, for adapters that read large ones back from the table. */
  store(events: RunEvent[]): Promise<void>;
  close(): Promise<void>;
}

async function eventually<Value>(check: () => Value | undefined, what: string): Promise<Value> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let counter = 0;
function run(): string {
  counter += 1;
  return `run_contract${Date.now()}${counter}`;
}

function event(runId: string, seq: number, data = `{"seq":${seq}}`): RunEvent {
  return { runId, seq, event: 'thread.message.delta', data };
}

export function runEventBusContract(name: string, createPair: () => Promise<EventBusPair>): void {
  describe(`event bus contract: ${name}`, () => {
    let pair: EventBusPair;
    beforeAll(async () => {
      pair = await createPair();
    });
    afterAll(async () => pair.close());

    it("delivers a run's events to that run's subscribers, in order, and stops after unsubscribe", async () => {
      const [mine, other] = [run(), run()];
      const received: RunEvent[] = [];
      const unsubscribe = pair.receiver.subscribe(mine, (received_) => received.push(received_));
      const events = Array.from({ length: 50 }, (_, index) => event(mine, index + 1));
      await pair.store(events);
      for (const item of events) pair.sender.publish([item]);
      pair.sender.publish([event(other, 1)]);
      await eventually(() => (received.length >= 50 ? true : undefined), 'fifty events');
      expect(received.map((item) => item.seq)).toEqual(events.map((item) => item.seq));
      expect(received.every((item) => item.runId === mine)).toBe(true);
      expect(received[0]).toEqual(events[0]);
      unsubscribe();
      await pair.store([event(mine, 51)]);
      pair.sender.publish([event(mine, 51)]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toHaveLength(50);
    });

    it('delivers an event far larger than a notification can carry', async () => {
      const runId = run();
      const big = event(runId, 1, JSON.stringify({ text: 'x'.repeat(50_000) }));
      const small = event(runId, 2);
      await pair.store([big, small]);
      const received: RunEvent[] = [];
      const unsubscribe = pair.receiver.subscribe(runId, (item) => received.push(item));
      pair.sender.publish([big, small]);
      await eventually(() => (received.length === 2 ? true : undefined), 'both events');
      expect(received.find((item) => item.seq === 1)).toEqual(big);
      unsubscribe();
    });

    it('carries wake-ups and cancel requests', async () => {
      let woken = 0;
      const cancelled: string[] = [];
      const offRunnable = pair.receiver.onRunnable(() => (woken += 1));
      const offCancel = pair.receiver.onCancel((runId) => cancelled.push(runId));
      const runId = run();
      pair.sender.notifyRunnable();
      pair.sender.notifyCancel(runId);
      await eventually(
        () => (woken > 0 && cancelled.length > 0 ? true : undefined),
        'a wake-up and a cancel',
      );
      expect(cancelled).toEqual([runId]);
      offRunnable();
      offCancel();
    });
  });
}

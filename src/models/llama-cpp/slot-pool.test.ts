import { describe, expect, it } from 'vitest';
import { SlotPool } from './slot-pool.ts';

describe('SlotPool: the line for a model’s generation slots', () => {
  it('hands out free slots, then serves waiters first come first served', async () => {
    const pool = new SlotPool(['a']);
    const signal = new AbortController().signal;
    expect(await pool.acquire(signal)).toBe('a');
    const served: string[] = [];
    const first = pool.acquire(signal).then((slot) => served.push(`first:${slot}`));
    const second = pool.acquire(signal).then((slot) => served.push(`second:${slot}`));
    expect(pool.waiting).toBe(2);
    pool.release('a');
    await first;
    expect(served).toEqual(['first:a']);
    pool.release('a');
    await second;
    expect(served).toEqual(['first:a', 'second:a']);
    expect(pool.waiting).toBe(0);
  });

  it('lets a waiter leave the line when its run is cancelled, without losing the slot', async () => {
    const pool = new SlotPool([1]);
    const held = await pool.acquire(new AbortController().signal);
    const cancelled = new AbortController();
    const leaving = pool.acquire(cancelled.signal);
    const staying = pool.acquire(new AbortController().signal);
    cancelled.abort(new Error('run cancelled'));
    await expect(leaving).rejects.toThrow('run cancelled');
    expect(pool.waiting).toBe(1);
    pool.release(held);
    expect(await staying).toBe(1);
    await expect(pool.acquire(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

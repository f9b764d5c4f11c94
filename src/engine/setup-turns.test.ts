/**
 * One new-run setup per loop turn: the first of a turn goes at once, the others wait their turn in
 * order, and the gate opens again once nobody waits. Turns are stepped by hand.
 */
import { describe, expect, it } from 'vitest';
import { createSetupTurns } from './setup-turns.ts';

function manualTurns() {
  const pending: Array<() => void> = [];
  return {
    nextTurn: (callback: () => void) => void pending.push(callback),
    /** Runs the loop's next turn; false when nothing was scheduled. */
    async step(): Promise<boolean> {
      const callbacks = pending.splice(0);
      for (const callback of callbacks) callback();
      await Promise.resolve();
      await Promise.resolve();
      return callbacks.length > 0;
    },
  };
}

describe('setup turns', () => {
  it('lets one setup through per turn, in the order they asked', async () => {
    const loop = manualTurns();
    const turns = createSetupTurns(loop.nextTurn);
    const order: string[] = [];
    expect(turns.take()).toBeUndefined();
    order.push('a');
    for (const name of ['b', 'c', 'd']) void turns.take()!.then(() => order.push(name));
    await Promise.resolve();
    expect(order).toEqual(['a']);
    await loop.step();
    expect(order).toEqual(['a', 'b']);
    await loop.step();
    expect(order).toEqual(['a', 'b', 'c']);
    await loop.step();
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('goes at once again after a turn with nobody waiting', async () => {
    const loop = manualTurns();
    const turns = createSetupTurns(loop.nextTurn);
    expect(turns.take()).toBeUndefined();
    expect(turns.take()).toBeInstanceOf(Promise);
    await loop.step();
    // The waiter had this turn; the next turn finds nobody and opens the gate.
    expect(await loop.step()).toBe(true);
    expect(await loop.step()).toBe(false);
    expect(turns.take()).toBeUndefined();
  });
});

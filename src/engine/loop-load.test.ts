/**
 * The admission rule, driven window by window with a fake clock: a burst is admitted faster while the
 * loop keeps up, and new runs wait as soon as it runs late. No timing is measured.
 */
import { describe, expect, it } from 'vitest';
import { AdmissionBudget, watchLoopLoad } from './loop-load.ts';

/** Admits until refused; returns how many got in. */
function admitAll(admit: () => boolean, limit = 10_000): number {
  let admitted = 0;
  while (admitted < limit && admit()) admitted += 1;
  return admitted;
}

describe('the admission budget', () => {
  it('doubles while a burst uses it up and the loop stays on time, up to the ceiling', () => {
    const budget = new AdmissionBudget({ startsPerWindow: 4, maxStartsPerWindow: 32, lateMs: 20 });
    const admitted: number[] = [];
    for (let window = 0; window < 6; window++) {
      admitted.push(admitAll(() => budget.admit()));
      expect(budget.endWindow(5)).toBe(true);
    }
    expect(admitted).toEqual([4, 8, 16, 32, 32, 32]);
  });

  it('holds the next window and halves after starts when the loop ran late', () => {
    const budget = new AdmissionBudget({ startsPerWindow: 16, lateMs: 20 });
    expect(admitAll(() => budget.admit())).toBe(16);
    // Late: the refused runs get no room in the next window.
    expect(budget.endWindow(35)).toBe(false);
    expect(budget.admit()).toBe(false);
    // Still late, but nothing started: the budget stays halved once, not twice.
    expect(budget.endWindow(35)).toBe(false);
    expect(budget.endWindow(0)).toBe(true);
    expect(admitAll(() => budget.admit())).toBe(8);
  });

  it('does not grow when the window had room to spare, and never drops below one', () => {
    const budget = new AdmissionBudget({ startsPerWindow: 2, lateMs: 20 });
    expect(budget.admit()).toBe(true);
    budget.endWindow(0);
    expect(admitAll(() => budget.admit())).toBe(2);
    for (let window = 0; window < 5; window++) {
      budget.endWindow(100);
      budget.endWindow(0);
      expect(budget.admit()).toBe(true);
    }
    budget.endWindow(0);
    expect(admitAll(() => budget.admit())).toBe(1);
  });

  it('reports room only to a window that refused someone', () => {
    const budget = new AdmissionBudget({ startsPerWindow: 2 });
    budget.admit();
    expect(budget.endWindow(0)).toBe(false);
  });
});

/** A loop whose window timer and clock are stepped by hand. */
function fakeLoop(options: { windowMs: number }) {
  let time = 0;
  let tick: (() => void) | undefined;
  let stopped = false;
  const load = watchLoopLoad({
    ...options,
    startsPerWindow: 2,
    lateMs: 20,
    now: () => time,
    every: (_milliseconds, callback) => {
      tick = callback;
      return () => (stopped = true);
    },
  });
  return {
    load,
    /** The window's timer runs `late` ms after it was due. */
    endWindow(late: number) {
      time += options.windowMs + late;
      tick!();
    },
    stopped: () => stopped,
  };
}

describe('watching the loop', () => {
  it('measures lateness against the window and calls back when refused runs may start', () => {
    const loop = fakeLoop({ windowMs: 50 });
    let rooms = 0;
    loop.load.onRoom(() => (rooms += 1));
    expect(admitAll(() => loop.load.admit())).toBe(2);
    loop.endWindow(3);
    expect(rooms).toBe(1);
    expect(admitAll(() => loop.load.admit())).toBe(4);
    loop.endWindow(40);
    expect(rooms).toBe(1);
    expect(loop.load.admit()).toBe(false);
    // Lateness is counted from when the late tick ran, not from the original schedule.
    loop.endWindow(0);
    expect(rooms).toBe(2);
    expect(admitAll(() => loop.load.admit())).toBe(2);
    loop.load.stop();
    expect(loop.stopped()).toBe(true);
  });
});

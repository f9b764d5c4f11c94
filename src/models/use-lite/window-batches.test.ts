import { describe, expect, it } from 'vitest';
import { BATCH_CELLS, windowBatches } from './window-batches.ts';

describe('windowBatches', () => {
  it('runs short windows together and long ones together, each call within its padded tokens', () => {
    // Cut order: a window, then its sentences, and so on (what `windows` produces).
    const lengths = [128, 20, 24, 128, 18, 30, 128, 22];
    const batches = windowBatches(lengths, 4 * 128);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, index) => index));
    expect(batches).toEqual([
      [4, 1, 7, 2, 5],
      [0, 3, 6],
    ]);
    for (const batch of batches)
      expect(batch.length * Math.max(...batch.map((index) => lengths[index]!))).toBeLessThanOrEqual(
        4 * 128,
      );
  });

  it('holds 32 full windows per call, and more of shorter ones', () => {
    expect(windowBatches(Array.from({ length: 64 }, () => 128)).map((b) => b.length)).toEqual([
      32, 32,
    ]);
    expect(windowBatches(Array.from({ length: 100 }, () => 20))).toHaveLength(1);
    expect(BATCH_CELLS).toBe(32 * 128);
  });

  it('gives a window longer than a call its own call, and an empty one a row', () => {
    expect(windowBatches([0, 600, 5], 512)).toEqual([[0, 2], [1]]);
  });
});

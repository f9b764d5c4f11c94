import { describe, expect, it } from 'vitest';
import type { ChunkHit } from '../../storage/store.ts';
import { fuseRankings } from './fuse-rankings.ts';

const hit = (chunkId: number): ChunkHit => ({
  chunkId,
  vectorStoreId: 'vs_1',
  fileId: `file-${chunkId}`,
  chunkIndex: 0,
  text: `chunk ${chunkId}`,
});

describe('fuseRankings', () => {
  it('ranks what both retrievers agree on first, with scores in 0–1', () => {
    const fused = fuseRankings([
      [hit(1), hit(2), hit(3)],
      [hit(2), hit(4), hit(1)],
    ]);
    expect(fused.map((entry) => entry.hit.chunkId)).toEqual([2, 1, 4, 3]);
    for (const entry of fused) {
      expect(entry.score).toBeGreaterThan(0);
      expect(entry.score).toBeLessThanOrEqual(1);
    }
  });

  it('gives 1 to a chunk ranked first everywhere, and ignores empty lists', () => {
    expect(fuseRankings([[hit(7)], [hit(7)]])[0]!.score).toBe(1);
    expect(fuseRankings([[hit(7), hit(8)], []])[0]!.score).toBe(1);
    expect(fuseRankings([[], []])).toEqual([]);
  });
});

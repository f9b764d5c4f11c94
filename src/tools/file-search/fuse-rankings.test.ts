import { describe, expect, it } from 'vitest';
import type { ChunkHit } from '../../storage/store.ts';
import { fuseRankings, type RankedList } from './fuse-rankings.ts';

const hit = (chunkId: number, score: number): ChunkHit => ({
  chunkId,
  vectorStoreId: 'vs_1',
  fileId: `file-${chunkId}`,
  chunkIndex: 0,
  text: `chunk ${chunkId}`,
  score,
});
const keyword = (...hits: ChunkHit[]): RankedList => ({ retriever: 'keyword', hits });
const vector = (...hits: ChunkHit[]): RankedList => ({ retriever: 'vector', hits });
const order = (lists: RankedList[]) => fuseRankings(lists).map((entry) => entry.hit.chunkId);

describe('fuseRankings', () => {
  it('ranks what both retrievers agree on first, with scores in 0–1', () => {
    const fused = fuseRankings([
      keyword(hit(1, 9), hit(2, 8), hit(3, 1)),
      vector(hit(2, 0.9), hit(4, 0.5), hit(1, 0.4)),
    ]);
    expect(fused.map((entry) => entry.hit.chunkId)).toEqual([2, 1, 4, 3]);
    for (const entry of fused) {
      expect(entry.score).toBeGreaterThanOrEqual(0);
      expect(entry.score).toBeLessThanOrEqual(1);
    }
  });

  it('gives 1 to a chunk ranked first everywhere, and ignores empty lists', () => {
    expect(fuseRankings([keyword(hit(7, 3)), vector(hit(7, 0.6))])[0]!.score).toBe(1);
    expect(fuseRankings([keyword(hit(7, 3), hit(8, 1)), vector()])[0]!.score).toBe(1);
    expect(fuseRankings([vector(hit(7, 0.6), hit(8, 0.1)), keyword()])[0]!.score).toBe(1);
    expect(fuseRankings([keyword(), vector()])).toEqual([]);
  });

  // The paraphrase-set failure of reciprocal-rank fusion (k = 60): the distractor shares the
  // question's words (first by keywords) and is second by vectors, far behind the answer; RRF put it
  // first because 1/61 + 1/62 > 1/61. A clear vector winner must stay first.
  it('keeps a clear vector winner ahead of a distractor the keywords prefer', () => {
    const answer = 1;
    const distractor = 2;
    expect(
      order([
        keyword(hit(distractor, 6), hit(3, 5), hit(4, 1)),
        vector(hit(answer, 0.8), hit(distractor, 0.5), hit(3, 0.4), hit(4, 0.3)),
      ])[0],
    ).toBe(answer);
  });

  it('lets the keywords decide between near-equal vector matches', () => {
    expect(
      order([
        keyword(hit(2, 6), hit(4, 1)),
        vector(hit(1, 0.8), hit(2, 0.79), hit(3, 0.4), hit(4, 0.3)),
      ]).slice(0, 2),
    ).toEqual([2, 1]);
  });

  it('treats a list whose hits all score the same as all best', () => {
    const fused = fuseRankings([keyword(hit(5, 2), hit(6, 2))]);
    expect(fused.map((entry) => [entry.hit.chunkId, entry.score])).toEqual([
      [5, 1],
      [6, 1],
    ]);
  });
});

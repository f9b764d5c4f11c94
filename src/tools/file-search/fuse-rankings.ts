/**
 * Reciprocal-rank fusion of ranked chunk lists (keyword and vector, per query). A chunk's fused score
 * is Σ 1/(k + rank) over the lists it appears in, divided by the best possible sum (first in every
 * non-empty list), so `score` lies in 0–1 and 1 means "ranked first by every retriever".
 */
import type { ChunkHit } from '../../storage/store.ts';

export const RRF_K = 60;

export interface RankedChunk {
  hit: ChunkHit;
  score: number;
}

export function fuseRankings(lists: ChunkHit[][], k = RRF_K): RankedChunk[] {
  // A retriever with nothing to offer (e.g. no embeddings yet) does not lower everyone's score.
  const nonEmpty = lists.filter((list) => list.length > 0).length;
  if (nonEmpty === 0) return [];
  const best = nonEmpty / (k + 1);
  const fused = new Map<number, RankedChunk>();
  for (const list of lists) {
    list.forEach((hit, index) => {
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0 };
      entry.score += 1 / (k + index + 1);
      fused.set(hit.chunkId, entry);
    });
  }
  return [...fused.values()]
    .map((entry) => ({ hit: entry.hit, score: Math.min(1, entry.score / best) }))
    .sort((a, b) => b.score - a.score || a.hit.chunkId - b.hit.chunkId);
}

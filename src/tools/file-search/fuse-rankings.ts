/**
 * Fusion of ranked chunk lists (keyword and vector, per query) by their scores. Each list's scores are
 * min-max normalised (its best hit 1, its worst 0), weighted by retriever, and summed per chunk; the
 * sum is divided by the weight of the non-empty lists, so `score` lies in 0–1 and 1 means "best in
 * every list".
 *
 * Reciprocal-rank fusion (k = 60) was used before and lost most of what the embedder finds: rank
 * differences near the top are tiny under k = 60, so a distractor ranked third by both lists beat the
 * answer ranked first by vectors alone (paraphrase set, bench/retrieval/README.md). Scores keep the
 * strength of a match: a clear vector winner stays ahead unless the keywords strongly disagree.
 */
import type { ChunkHit } from '../../storage/store.ts';

export type Retriever = 'keyword' | 'vector';

export interface RankedList {
  retriever: Retriever;
  /** Best first, with `score` higher for better matches. */
  hits: ChunkHit[];
}

/**
 * How much each retriever counts. Vectors weigh more: on the paraphrase set the keyword list is led by
 * distractors that share the question's words, and 0.3 is the largest keyword weight that kept the
 * embedder's recall there, while an exact-word match still lifts a chunk by up to 0.3.
 */
export const FUSION_WEIGHTS: Readonly<Record<Retriever, number>> = { keyword: 0.3, vector: 0.7 };

export interface RankedChunk {
  hit: ChunkHit;
  score: number;
}

export function fuseRankings(
  lists: RankedList[],
  weights: Readonly<Record<Retriever, number>> = FUSION_WEIGHTS,
): RankedChunk[] {
  // A retriever with nothing to offer (e.g. no embeddings yet) does not lower everyone's score.
  const nonEmpty = lists.filter((list) => list.hits.length > 0);
  const best = nonEmpty.reduce((sum, list) => sum + weights[list.retriever], 0);
  if (nonEmpty.length === 0 || best <= 0) return [];
  const fused = new Map<number, RankedChunk>();
  for (const list of nonEmpty) {
    const scores = list.hits.map((hit) => hit.score);
    const top = Math.max(...scores);
    const bottom = Math.min(...scores);
    for (const hit of list.hits) {
      // One hit, or all tied: each is the best this list has.
      const normalised = top > bottom ? (hit.score - bottom) / (top - bottom) : 1;
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0 };
      entry.score += weights[list.retriever] * normalised;
      fused.set(hit.chunkId, entry);
    }
  }
  return [...fused.values()]
    .map((entry) => ({ hit: entry.hit, score: Math.min(1, entry.score / best) }))
    .sort((a, b) => b.score - a.score || a.hit.chunkId - b.hit.chunkId);
}

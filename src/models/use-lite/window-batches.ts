/**
 * Groups the encoder's windows into graph calls. The graph pads every row of a call to its longest
 * window, so a 20-token sentence batched with 128-token windows costs a 128-token window. Windows are
 * taken shortest first and a call holds as many as fit `BATCH_CELLS` padded tokens, so sentences run
 * with sentences: measured on 100-token chunks cut into windows and sentences, ×0.5 embedding time
 * with the same vectors (bench/retrieval/README.md).
 */

/** Padded tokens (rows × longest row) per graph call: 32 full 128-token windows. */
export const BATCH_CELLS = 32 * 128;
/** Rows per graph call at most, however short. */
const MAX_ROWS = 256;

/** Indices of `lengths`, in calls: shortest first, each call within `cells` padded tokens. */
export function windowBatches(lengths: readonly number[], cells = BATCH_CELLS): number[][] {
  const order = lengths.map((_, index) => index).sort((a, b) => lengths[a]! - lengths[b]!);
  const batches: number[][] = [];
  let batch: number[] = [];
  for (const index of order) {
    // An empty window still takes one token (the unknown id).
    const padded = (batch.length + 1) * Math.max(1, lengths[index]!);
    if (batch.length > 0 && (padded > cells || batch.length >= MAX_ROWS)) {
      batches.push(batch);
      batch = [];
    }
    batch.push(index);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Port: an embedding model. Adapters batch and retry as their upstream needs; callers get one vector
 * per input, in input order. Vectors need not be unit length (callers normalise).
 */
export interface EmbeddingModel {
  /** The model name as configured (also the key of the embedding cache). */
  readonly id: string;
  /** Embeds `inputs`; rejects when the upstream keeps failing after the adapter's retries. */
  embed(inputs: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  /**
   * For a model that reads only the start of a long text: the parts of `text` it can read whole
   * (overlapping, in order, covering all of it), so each can be embedded on its own. Absent for a
   * model whose window holds any chunk; then the text is its one window.
   */
  windows?(text: string): string[];
  /**
   * A search query as this model should read it before it is embedded (e.g. with the case the model
   * sees in passages). Absent: the query as typed. Stored passages are always embedded as written.
   */
  queryText?(query: string): string;
}

/** The upstream could not embed; the message says why and is safe to show to the caller. */
export class EmbeddingError extends Error {
  override name = 'EmbeddingError';
}

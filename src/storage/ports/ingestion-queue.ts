/**
 * Port: the ingestion queue, which is the `vector_store_files` table itself. An `in_progress` row
 * is a job; a worker claims it with a lease, renews the lease while it works, and finishes it with a
 * conditional update, so a job whose worker died is taken over once its lease lapses and a job that
 * was cancelled or removed meanwhile is never overwritten.
 */
import type { StaticChunkingStrategy, VectorStoreFileError } from '../../domain/vector-store.ts';

export interface IngestionJob {
  projectId: string;
  vectorStoreId: string;
  fileId: string;
  chunkingStrategy: StaticChunkingStrategy;
  /**
   * How many times the job has been claimed, this claim included, counted durably by the claim itself
   * (claims given back with `release` excepted), so a file that kills its worker runs out of attempts.
   */
  attempts: number;
  /** When the file was added to the vector store (seconds): how long it has been waiting. */
  addedAt: number;
}

/**
 * Re-embedding: a completed file whose chunks were embedded by another model than the configured one
 * (or by none). Claimed with the same lease columns as ingestion, on rows that are `completed`, so it
 * never hides a file from search nor holds a run waiting for its files.
 */
export interface ReembedJob {
  projectId: string;
  vectorStoreId: string;
  fileId: string;
}

export interface IngestionQueue {
  /** Claims the oldest unleased (or lapsed) job for `owner` until `leaseUntil` (ms). */
  claimNext(owner: string, now: number, leaseUntil: number): Promise<IngestionJob | undefined>;
  /** Extends the lease; false when the job is no longer this owner's (cancelled, removed or taken over). */
  renewLease(job: IngestionJob, owner: string, leaseUntil: number): Promise<boolean>;
  /**
   * Marks the job completed, its chunks embedded by `embeddingModel` (null: none); false when it is no
   * longer this owner's, and then nothing changes.
   */
  complete(
    job: IngestionJob,
    owner: string,
    usageBytes: number,
    embeddingModel?: string | null,
  ): Promise<boolean>;
  /**
   * Gives the job back unfinished (a worker shutting down), so any worker may claim it at once; the
   * claim it gives back no longer counts as an attempt.
   */
  release(job: IngestionJob, owner: string): Promise<void>;
  /**
   * Gives the job back to be tried again from `until` (ms) on, not by this claim's worker only: a
   * dependency it needs is unavailable for now. Like `release`, the claim does not count as an
   * attempt. False when the job is no longer this owner's.
   */
  postpone(job: IngestionJob, owner: string, until: number): Promise<boolean>;
  /** Marks the job failed with `error`; false when it is no longer this owner's. */
  fail(job: IngestionJob, owner: string, error: VectorStoreFileError): Promise<boolean>;
  /**
   * Claims the oldest completed file, not leased (or lapsed), whose chunks were not embedded by
   * `model`, for `owner` until `leaseUntil` (ms).
   */
  claimReembed(
    owner: string,
    model: string,
    now: number,
    leaseUntil: number,
  ): Promise<ReembedJob | undefined>;
  /** Extends a re-embedding lease; false when the file was removed, re-added or taken over. */
  renewReembed(job: ReembedJob, owner: string, leaseUntil: number): Promise<boolean>;
  /**
   * Records the file as embedded by `model` (its new usage) and ends the lease; false when it is no
   * longer this owner's. Call in the transaction that writes the vectors.
   */
  completeReembed(
    job: ReembedJob,
    owner: string,
    model: string,
    usageBytes: number,
  ): Promise<boolean>;
  /** Gives a re-embedding back unfinished (a worker shutting down). */
  releaseReembed(job: ReembedJob, owner: string): Promise<void>;
  /**
   * Switches every store none of whose completed files still lacks `model`'s vectors to search with
   * `model`, and deletes its other models' vectors, in one transaction; returns the stores switched.
   * Until then a store searches the vectors it had (see docs/retrieval.md).
   */
  switchStores(model: string): Promise<string[]>;
}

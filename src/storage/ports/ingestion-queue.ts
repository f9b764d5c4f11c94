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
}

export interface IngestionQueue {
  /** Claims the oldest unleased (or lapsed) job for `owner` until `leaseUntil` (ms). */
  claimNext(owner: string, now: number, leaseUntil: number): Promise<IngestionJob | undefined>;
  /** Extends the lease; false when the job is no longer this owner's (cancelled, removed or taken over). */
  renewLease(job: IngestionJob, owner: string, leaseUntil: number): Promise<boolean>;
  /** Marks the job completed; false when it is no longer this owner's, and then nothing changes. */
  complete(job: IngestionJob, owner: string, usageBytes: number): Promise<boolean>;
  /**
   * Gives the job back unfinished (a worker shutting down), so any worker may claim it at once; the
   * claim it gives back no longer counts as an attempt.
   */
  release(job: IngestionJob, owner: string): Promise<void>;
  /** Marks the job failed with `error`; false when it is no longer this owner's. */
  fail(job: IngestionJob, owner: string, error: VectorStoreFileError): Promise<boolean>;
}

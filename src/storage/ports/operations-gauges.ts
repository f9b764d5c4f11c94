/**
 * Port: what the operator's gauges read from the database at scrape time. Every figure is of the whole
 * deployment (all nodes share the database), so a dashboard takes it from one node, or the max over
 * nodes, never the sum. Each query is one indexed aggregate, cheap enough for a scrape every few seconds.
 */

export interface OperationsSnapshot {
  /** Runs waiting in the queue (`queued`), new or with tool outputs submitted. */
  queuedRuns: number;
  /** Creation time (Unix seconds) of the oldest queued run, or null when none waits. */
  oldestQueuedCreatedAt: number | null;
  /** Vector store files waiting for or in ingestion (`in_progress`). */
  ingestionBacklog: number;
  /** Vector store files whose ingestion failed (`failed`), as stored now. */
  ingestionFailed: number;
  /** Service-agent actions waiting for a client's approval. */
  pendingApprovals: number;
  /** Actions the policy denied (when proposed, or re-checked before execution). */
  deniedActions: number;
  /** US dollars of executed actions, by service agent name (summed over projects). */
  executedSpendUsd: Array<{ serviceAgent: string; usd: number }>;
}

export interface OperationsGauges {
  read(): Promise<OperationsSnapshot>;
}

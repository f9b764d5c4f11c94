/**
 * Port: usage records. A run's tokens are added once, in the transaction of its final status change
 * (a compare-and-set only one writer wins), to its row of project, key, model and minute.
 */

export interface UsageEntry {
  projectId: string;
  /** The project key that created the run; null for the admin key, dev mode, delegated runs. */
  apiKeyId: string | null;
  model: string;
  /** When the run ended (Unix seconds); the row is that minute's. */
  endedAt: number;
  inputTokens: number;
  outputTokens: number;
  modelRequests: number;
}

/** One stored row: a minute's usage of one project, key and model. */
export interface UsageRow {
  projectId: string;
  apiKeyId: string | null;
  model: string;
  minute: number;
  inputTokens: number;
  outputTokens: number;
  modelRequests: number;
}

export interface UsageQuery {
  /** Unix seconds, inclusive. */
  startTime: number;
  /** Unix seconds, exclusive. */
  endTime: number;
  projectIds?: string[] | undefined;
  apiKeyIds?: string[] | undefined;
  models?: string[] | undefined;
}

export interface UsageRepository {
  /** Adds a run's usage to its minute's row (created on first use). */
  record(entry: UsageEntry): Promise<void>;
  /** The rows of minutes in `[startTime, endTime)`, oldest first. */
  list(query: UsageQuery): Promise<UsageRow[]>;
}

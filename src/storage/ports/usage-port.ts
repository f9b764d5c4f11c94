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
  /** Adds `amount` to a meter's row of project, key and minute (created on first use). */
  addMeter(entry: MeterEntry): Promise<void>;
  /** A meter's rows of minutes in `[startTime, endTime)`, oldest first. */
  listMeter(query: MeterQuery): Promise<MeterRow[]>;
  /** A meter's sum per project and key over the minutes before `before` (Unix seconds). */
  meterTotals(
    meter: UsageMeter,
    before: number,
    projectIds?: string[] | undefined,
  ): Promise<MeterTotal[]>;
}

/**
 * The meters beyond tokens (table `usage_meters`, one row per project, key, meter and minute):
 * - `code_interpreter_sessions`: code sessions opened;
 * - `code_interpreter_ms`: milliseconds code_interpreter cells spent executing;
 * - `stored_bytes`: bytes added (positive) or removed (negative): of files, of container files, and
 *   the parsed size of vector store files, metered by database triggers in the statement that changes
 *   them (migration 0017); the sum up to a moment is what the project stored then.
 */
export type UsageMeter = 'code_interpreter_sessions' | 'code_interpreter_ms' | 'stored_bytes';

export interface MeterEntry {
  projectId: string;
  apiKeyId: string | null;
  meter: UsageMeter;
  /** Unix seconds; the amount is added to that minute's row. */
  at: number;
  amount: number;
}

export interface MeterRow {
  projectId: string;
  apiKeyId: string | null;
  minute: number;
  amount: number;
}

export interface MeterTotal {
  projectId: string;
  apiKeyId: string | null;
  amount: number;
}

export interface MeterQuery {
  meter: UsageMeter;
  /** Unix seconds, inclusive. */
  startTime: number;
  /** Unix seconds, exclusive. */
  endTime: number;
  projectIds?: string[] | undefined;
}

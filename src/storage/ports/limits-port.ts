/**
 * Port: limits. Overrides per project and key, and the shared counters every API node spends from.
 * Each counter operation is one statement (an upsert or a read), so two nodes never both take the
 * last request of a window.
 */
import type { Limits } from '../../domain/limits.ts';

export interface LimitOverride {
  projectId: string;
  /** Null for the project's own limits. */
  apiKeyId: string | null;
  /** Null fields take the configured default. */
  limits: Limits;
}

/** A counter row: requests in the minute starting at `minuteStart`, tokens in the day at `dayStart`. */
export interface LimitCounter {
  minuteStart: number;
  requests: number;
  dayStart: number;
  tokens: number;
}

export interface LimitsRepository {
  /** The overrides of a project and its keys (cached by each node). */
  listOverrides(projectId: string): Promise<LimitOverride[]>;
  /** Replaces the override of a project (`apiKeyId` null) or key. */
  putOverride(override: LimitOverride): Promise<void>;
  /**
   * Counts `count` requests of `scope` in the minute starting at `minute` (a node takes a slice of
   * a large limit at once and spends it in memory), unless that would pass `limit`; returns the row
   * after counting, or undefined when refused. One upsert.
   */
  takeRequests(
    scope: string,
    minute: number,
    day: number,
    limit: number,
    count: number,
  ): Promise<LimitCounter | undefined>;
  readCounter(scope: string): Promise<LimitCounter | undefined>;
  /** Adds tokens to the day starting at `day` (a new day starts from zero). */
  addTokens(scope: string, day: number, tokens: number): Promise<void>;
  /**
   * Locks the scope's counter row until the transaction ends (creating it), so decisions that
   * count rows (concurrent runs, stored bytes) are taken one at a time per scope on every node.
   */
  lockScope(scope: string): Promise<void>;
  /** Runs queued, in progress or cancelling: of the project, or of one of its keys. */
  countRunningRuns(projectId: string, apiKeyId?: string): Promise<number>;
  /** Bytes of the files stored: of the project, or uploaded with one of its keys. */
  storedBytes(projectId: string, apiKeyId?: string): Promise<number>;
}

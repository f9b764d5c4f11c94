/**
 * The limits a run meets: concurrent runs and tokens per day of its project and key. Admission is
 * decided in the transaction that inserts the run, under a lock on the scope's row (so parallel
 * creations on any node count one at a time). A run waiting in `requires_action` holds no place:
 * the transaction that queues it again with its tool outputs admits it like a new run (`resume`),
 * so parallel creations and resumptions together never pass the limit. Tokens are added to the day's counters in the
 * transaction that ends the run (once, like its usage record), and checked before each model turn,
 * so a run that meets the day's limit mid-way fails with `rate_limit_exceeded`.
 */
import { nowSeconds } from '../domain/clock.ts';
import { RateLimitError } from '../domain/errors.ts';
import {
  DAY_SECONDS,
  rateLimitHeaders,
  scopeKey,
  windowStart,
  type LimitPolicy,
  type LimitScope,
} from '../domain/limits.ts';
import type { Store, UsageEntry } from '../storage/store.ts';
import { RunFailure } from './run-failure.ts';

/** What a scope is called in messages. */
function named(scope: LimitScope): string {
  return scope.kind === 'project' ? `project ${scope.id}` : `API key ${scope.id}`;
}

export interface RunLimits {
  /** In the insert transaction: refuses (429) a run over its scopes' concurrent runs or tokens. */
  admit(transaction: Store, projectId: string, apiKeyId: string | null): Promise<void>;
  /**
   * Whether `admit` has a limit to decide for these scopes (it then reads and locks in the insert
   * transaction); when not, a creation may go without a transaction of its own.
   */
  admits(projectId: string, apiKeyId: string | null): Promise<boolean>;
  /**
   * In the transaction that queues a run again after `requires_action`: refuses (429) it when its
   * scopes already run their limit of concurrent runs (a waiting run holds no place).
   */
  resume(transaction: Store, projectId: string, apiKeyId: string | null): Promise<void>;
  /**
   * Before a model call made outside a run (a compaction, embeddings): refuses (429, with the token
   * headers) when a scope's tokens for the day are spent, as `admit` does for a new run.
   */
  admitTokens(store: Store, projectId: string, apiKeyId: string | null): Promise<void>;
  /** Before a model turn: fails the run when a scope's tokens for the day, with `pending`, are spent. */
  checkTokens(
    store: Store,
    projectId: string,
    apiKeyId: string | null,
    pending: number,
  ): Promise<void>;
  /** Whether a limit of the scopes counts tokens (`recordTokens` would write). */
  countsTokens(projectId: string, apiKeyId: string | null): Promise<boolean>;
  /** In the transaction that ends the run: adds its tokens to its scopes' day. */
  recordTokens(
    transaction: Store,
    projectId: string,
    apiKeyId: string | null,
    tokens: number,
  ): Promise<void>;
}

/** Tokens the scope has used today (up to the last ended run). */
async function usedToday(store: Store, scope: LimitScope, day: number): Promise<number> {
  const counter = await store.limits.readCounter(scopeKey(scope));
  return counter && counter.dayStart === day ? counter.tokens : 0;
}

/** Under a lock on the scope's own row, refuses a run when the scope runs its limit already. */
async function admitConcurrent(transaction: Store, scope: LimitScope, projectId: string) {
  const concurrent = scope.limits.max_concurrent_runs;
  if (concurrent === null) return;
  // A row of its own, so run creations do not wait on the requests counter.
  await transaction.limits.lockScope(`runs:${scopeKey(scope)}`);
  const running = await transaction.limits.countRunningRuns(
    projectId,
    scope.kind === 'key' ? scope.id : undefined,
  );
  if (running >= concurrent)
    throw new RateLimitError(
      `Limit reached for concurrent runs in ${named(scope)}: Limit ${concurrent}, Running ${running}. Please try again when a run ends.`,
      'concurrent_runs',
      { 'retry-after': '1' },
    );
}

/** Refuses (429) when a scope's tokens for the day are spent (up to the last recorded call). */
async function refuseSpentTokens(store: Store, scopes: LimitScope[]): Promise<void> {
  const now = nowSeconds();
  const day = windowStart(now, DAY_SECONDS);
  for (const scope of scopes) {
    const perDay = scope.limits.max_tokens_per_1_day;
    if (perDay === null) continue;
    const used = await usedToday(store, scope, day);
    if (used < perDay) continue;
    const resetSeconds = day + DAY_SECONDS - now;
    throw new RateLimitError(
      `Rate limit reached for tokens per day (TPD) in ${named(scope)}: Limit ${perDay}, Used ${used}. Please try again in ${resetSeconds}s.`,
      'tokens',
      {
        ...rateLimitHeaders({ tokens: { limit: perDay, remaining: 0, resetSeconds } }),
        'retry-after': String(resetSeconds),
      },
    );
  }
}

export function createRunLimits(policy: LimitPolicy): RunLimits {
  return {
    async admit(transaction, projectId, apiKeyId) {
      const scopes = await policy.scopes(projectId, apiKeyId, transaction);
      for (const scope of scopes) await admitConcurrent(transaction, scope, projectId);
      await refuseSpentTokens(transaction, scopes);
    },

    async admits(projectId, apiKeyId) {
      const scopes = await policy.scopes(projectId, apiKeyId);
      return scopes.some(
        ({ limits }) => limits.max_concurrent_runs !== null || limits.max_tokens_per_1_day !== null,
      );
    },

    async admitTokens(store, projectId, apiKeyId) {
      await refuseSpentTokens(store, await policy.scopes(projectId, apiKeyId));
    },

    async resume(transaction, projectId, apiKeyId) {
      for (const scope of await policy.scopes(projectId, apiKeyId, transaction))
        await admitConcurrent(transaction, scope, projectId);
    },

    async checkTokens(store, projectId, apiKeyId, pending) {
      const scopes = await policy.scopes(projectId, apiKeyId);
      const day = windowStart(nowSeconds(), DAY_SECONDS);
      for (const scope of scopes) {
        const perDay = scope.limits.max_tokens_per_1_day;
        if (perDay === null) continue;
        const used = (await usedToday(store, scope, day)) + pending;
        if (used >= perDay)
          throw new RunFailure(
            `Rate limit reached for tokens per day (TPD) in ${named(scope)}: Limit ${perDay}, Used ${used}.`,
            { status: 'failed', code: 'rate_limit_exceeded' },
          );
      }
    },

    async countsTokens(projectId, apiKeyId) {
      const scopes = await policy.scopes(projectId, apiKeyId);
      return scopes.some((scope) => scope.limits.max_tokens_per_1_day !== null);
    },

    async recordTokens(transaction, projectId, apiKeyId, tokens) {
      if (tokens <= 0) return;
      const scopes = await policy.scopes(projectId, apiKeyId, transaction);
      const day = windowStart(nowSeconds(), DAY_SECONDS);
      for (const scope of scopes) {
        if (scope.limits.max_tokens_per_1_day === null) continue;
        await transaction.limits.addTokens(scopeKey(scope), day, tokens);
      }
    },
  };
}

/**
 * A model call made outside a run (a compaction): its usage record and its tokens for the day, in one
 * transaction, as a run's end writes them.
 */
export async function recordModelCall(
  store: Store,
  limits: RunLimits | undefined,
  entry: UsageEntry,
): Promise<void> {
  await store.transaction(async (transaction) => {
    await transaction.usage.record(entry);
    await limits?.recordTokens(
      transaction,
      entry.projectId,
      entry.apiKeyId,
      entry.inputTokens + entry.outputTokens,
    );
  });
}

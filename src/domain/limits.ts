/**
 * Limits per project and per key: requests per minute, tokens per day, concurrent runs and stored
 * bytes. A limit is the configured default unless the project or key has its own (an override).
 * Counting is fixed-window: requests per UTC minute, tokens per UTC day.
 */

/** Each limit; null means none. */
export interface Limits {
  max_requests_per_1_minute: number | null;
  max_tokens_per_1_day: number | null;
  max_concurrent_runs: number | null;
  max_stored_bytes: number | null;
}

export const LIMIT_NAMES = [
  'max_requests_per_1_minute',
  'max_tokens_per_1_day',
  'max_concurrent_runs',
  'max_stored_bytes',
] as const satisfies ReadonlyArray<keyof Limits>;

export const NO_LIMITS: Limits = {
  max_requests_per_1_minute: null,
  max_tokens_per_1_day: null,
  max_concurrent_runs: null,
  max_stored_bytes: null,
};

/** The limits object of the admin endpoints: a project's or a key's overrides and what applies. */
export interface LimitsObject {
  object: 'organization.project.limits';
  project_id: string;
  /** Null for the project's own limits. */
  api_key_id: string | null;
  /** What the project or key sets itself; null takes the configured default. */
  overrides: Limits;
  /** What applies: the override, else the default; null is no limit. */
  effective: Limits;
}

/** A project or key and the limits that apply to it. */
export interface LimitScope {
  kind: 'project' | 'key';
  id: string;
  limits: Limits;
}

/**
 * The limits in effect for callers: the configured defaults and each project's and key's overrides.
 * Implementations cache the overrides briefly per node.
 */
/**
 * Where a policy reads overrides it has not cached: the caller's transaction when it holds one (on
 * SQLite a read through another connection would wait for that transaction to end, for ever).
 */
export interface OverridesReader {
  limits: {
    listOverrides(projectId: string): Promise<Array<{ apiKeyId: string | null; limits: Limits }>>;
  };
}

export interface LimitPolicy {
  /**
   * The project's scope, then the key's (when a key asks), each only when some limit applies.
   * `reader`: the transaction the caller is in, if any.
   */
  scopes(
    projectId: string,
    apiKeyId: string | null,
    reader?: OverridesReader,
  ): Promise<LimitScope[]>;
  /**
   * `scopes` without waiting, when this node holds the project's overrides already (read and still
   * fresh); undefined otherwise. The per-request path asks this first.
   */
  cachedScopes(projectId: string, apiKeyId: string | null): readonly LimitScope[] | undefined;
  /** The limits of one project (`apiKeyId` null) or key, with its own overrides. */
  describe(projectId: string, apiKeyId: string | null): Promise<LimitsObject>;
  /** Forgets cached overrides, after a change made on this node. */
  invalidate(): void;
}

/** The counter row of a scope. */
export function scopeKey(scope: Pick<LimitScope, 'kind' | 'id'>): string {
  return `${scope.kind}:${scope.id}`;
}

export const MINUTE_SECONDS = 60;
export const DAY_SECONDS = 86_400;

export function windowStart(now: number, length: number): number {
  return now - (now % length);
}

/** Each limit from `override` where it sets one, else from `defaults`. */
export function effectiveLimits(defaults: Limits, override: Partial<Limits> | undefined): Limits {
  const limits = { ...defaults };
  for (const name of LIMIT_NAMES) {
    const value = override?.[name];
    if (value !== undefined && value !== null) limits[name] = value;
  }
  return limits;
}

/** A window's figures as the `x-ratelimit-*` headers state them. */
export interface WindowState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** A duration as OpenAI writes `x-ratelimit-reset-*`: `1s`, `6m0s`, `2h3m4s`. */
export function formatReset(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}

/** OpenAI's rate-limit headers for the windows that apply (the tightest scope of each). */
export function rateLimitHeaders(windows: {
  requests?: WindowState | undefined;
  tokens?: WindowState | undefined;
}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const state = windows[kind];
    if (!state) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, state.remaining));
    headers[`x-ratelimit-reset-${kind}`] = formatReset(state.resetSeconds);
  }
  return headers;
}

/** Of two states of one window kind, the one with less left (the one a caller meets first). */
export function tighter(
  first: WindowState | undefined,
  second: WindowState | undefined,
): WindowState | undefined {
  if (!first) return second;
  if (!second) return first;
  return second.remaining < first.remaining ? second : first;
}

/**
 * The limits in effect: the configured defaults (`CONCIERGE_PROJECT_*`, `CONCIERGE_KEY_*`) and the
 * overrides stored per project and key. Each node reads a project's overrides (one small query) and
 * keeps them for `cacheMilliseconds`: a change made on another node applies within that time, like
 * a key's deletion. With no default and no override, a caller has no scope and no counter is touched.
 */
import type { Config } from '../config/config-schema.ts';
import {
  effectiveLimits,
  LIMIT_NAMES,
  NO_LIMITS,
  type LimitPolicy,
  type LimitScope,
  type Limits,
  type OverridesReader,
} from '../domain/limits.ts';
import type { Store } from '../storage/store.ts';

export interface LimitDefaults {
  project: Limits;
  key: Limits;
}

/** The configured defaults; unset is no limit. */
export function limitDefaults(config: Config): LimitDefaults {
  return {
    project: {
      max_requests_per_1_minute: config.projectRequestsPerMinute ?? null,
      max_tokens_per_1_day: config.projectTokensPerDay ?? null,
      max_concurrent_runs: config.projectConcurrentRuns ?? null,
      max_stored_bytes: config.projectStoredBytes ?? null,
    },
    key: {
      max_requests_per_1_minute: config.keyRequestsPerMinute ?? null,
      max_tokens_per_1_day: config.keyTokensPerDay ?? null,
      max_concurrent_runs: config.keyConcurrentRuns ?? null,
      max_stored_bytes: config.keyStoredBytes ?? null,
    },
  };
}

function hasAny(limits: Limits): boolean {
  return LIMIT_NAMES.some((name) => limits[name] !== null);
}

/** The most projects whose overrides one node keeps; past it the cache starts over. */
const CACHED_PROJECTS = 10_000;

/**
 * A project's overrides by key id ('' for the project's own), until when they hold, and the map
 * itself once the read has answered.
 */
interface CachedOverrides {
  until: number;
  read: Promise<Map<string, Limits>>;
  value?: Map<string, Limits>;
  /** The scopes made from `value`, by key id ('' for none): every request of a caller asks. */
  scopes?: Map<string, LimitScope[]>;
}

/** The most callers of one project whose scopes are kept; past it the project's map starts over. */
const CACHED_CALLERS = 1_000;

export function createLimitPolicy(
  store: Store,
  defaults: LimitDefaults,
  cacheMilliseconds = 30_000,
): LimitPolicy {
  const cache = new Map<string, CachedOverrides>();

  function overrides(
    projectId: string,
    reader: OverridesReader = store,
  ): Promise<Map<string, Limits>> {
    const cached = cache.get(projectId);
    if (cached && cached.until > Date.now()) return cached.read;
    if (cache.size >= CACHED_PROJECTS) cache.clear();
    const entry: CachedOverrides = {
      until: Date.now() + cacheMilliseconds,
      read: reader.limits.listOverrides(projectId).then((rows) => {
        const value = new Map(rows.map((row) => [row.apiKeyId ?? '', row.limits]));
        entry.value = value;
        return value;
      }),
    };
    // A failed read is not kept.
    entry.read.catch(() => {
      if (cache.get(projectId) === entry) cache.delete(projectId);
    });
    cache.set(projectId, entry);
    return entry.read;
  }

  function describeWith(all: Map<string, Limits>, projectId: string, apiKeyId: string | null) {
    const own = all.get(apiKeyId ?? '') ?? NO_LIMITS;
    return {
      object: 'organization.project.limits' as const,
      project_id: projectId,
      api_key_id: apiKeyId,
      overrides: own,
      effective: effectiveLimits(apiKeyId ? defaults.key : defaults.project, own),
    };
  }

  async function describe(projectId: string, apiKeyId: string | null, reader?: OverridesReader) {
    return describeWith(await overrides(projectId, reader), projectId, apiKeyId);
  }

  function scopesOf(all: Map<string, Limits>, projectId: string, apiKeyId: string | null) {
    const scopes: LimitScope[] = [];
    const project = describeWith(all, projectId, null);
    if (hasAny(project.effective))
      scopes.push({ kind: 'project', id: projectId, limits: project.effective });
    if (apiKeyId) {
      const key = describeWith(all, projectId, apiKeyId);
      if (hasAny(key.effective)) scopes.push({ kind: 'key', id: apiKeyId, limits: key.effective });
    }
    return scopes;
  }

  return {
    describe,
    async scopes(projectId, apiKeyId, reader) {
      return scopesOf(await overrides(projectId, reader), projectId, apiKeyId);
    },
    cachedScopes(projectId, apiKeyId) {
      const cached = cache.get(projectId);
      if (!cached?.value || cached.until <= Date.now()) return undefined;
      // Made once per caller while the overrides hold (callers only read them).
      cached.scopes ??= new Map();
      let scopes = cached.scopes.get(apiKeyId ?? '');
      if (!scopes) {
        scopes = scopesOf(cached.value, projectId, apiKeyId);
        if (cached.scopes.size >= CACHED_CALLERS) cached.scopes.clear();
        cached.scopes.set(apiKeyId ?? '', scopes);
      }
      return scopes;
    },
    invalidate() {
      cache.clear();
    },
  };
}

/**
 * Requests per minute, per project and per key, counted in the database so every API node spends
 * from one figure. A node takes a slice of a scope's minute at once (1 request for limits up to
 * 100 a minute, up to 1% of the limit and at most 50 above) and spends it in memory, so a busy
 * scope costs one upsert per slice, not per request; a slice left unspent when its minute ends
 * stays counted, so nodes may refuse up to a slice each before the exact limit, never allow more.
 * The key's scope is spent first, then the project's (a refusal gives the key's request back).
 * Every response of a limited caller carries OpenAI's `x-ratelimit-*` headers.
 */
import { nowSeconds } from '../domain/clock.ts';
import { RateLimitError } from '../domain/errors.ts';
import {
  DAY_SECONDS,
  MINUTE_SECONDS,
  rateLimitHeaders,
  scopeKey,
  tighter,
  windowStart,
  type LimitPolicy,
  type LimitScope,
  type WindowState,
} from '../domain/limits.ts';
import type { LimitCounter, Store } from '../storage/store.ts';
import type { Principal } from './route.ts';

/**
 * Counts a request of `principal`; returns the headers to send, or throws (rejects with) the 429.
 * A caller without limits is answered at once, with no promise.
 */
export type RequestLimiter = (
  principal: Principal,
) => Record<string, string> | Promise<Record<string, string>>;

/** Requests a node takes from a scope's minute at once. */
export function sliceSize(limit: number): number {
  return Math.max(1, Math.min(50, Math.floor(limit / 100)));
}

/** What this node holds of a scope's minute: requests taken and not yet spent, and the row as read. */
interface Slice {
  minute: number;
  left: number;
  counter: LimitCounter;
}

/** How long a node reuses a read of a scope's tokens for the headers of token-only scopes. */
const TOKEN_READ_MS = 1000;
const MAX_SCOPES = 10_000;

function refusal(scope: LimitScope, limit: number, resetSeconds: number): RateLimitError {
  const name = scope.kind === 'project' ? `project ${scope.id}` : `API key ${scope.id}`;
  return new RateLimitError(
    `Rate limit reached for requests per min (RPM) in ${name}: Limit ${limit}, Requested 1. Please try again in ${resetSeconds}s.`,
    'requests',
    {
      ...rateLimitHeaders({ requests: { limit, remaining: 0, resetSeconds } }),
      'retry-after': String(resetSeconds),
    },
  );
}

/** The headers of a caller without limits (shared: callers only read it). */
const NO_HEADERS: Record<string, string> = Object.freeze({});

export function createRequestLimiter(store: Store, policy: LimitPolicy): RequestLimiter {
  const slices = new Map<string, Slice>();
  const tokenReads = new Map<string, { at: number; counter: LimitCounter | undefined }>();

  /** Spends one request of the scope's minute; undefined when the minute's limit is reached. */
  async function spend(key: string, limit: number, minute: number, day: number) {
    const held = slices.get(key);
    if (held && held.minute === minute && held.left > 0) {
      held.left -= 1;
      return held;
    }
    if (limit <= 0) return undefined;
    const size = sliceSize(limit);
    let taken = size;
    let counter = await store.limits.takeRequests(key, minute, day, limit, size);
    if (!counter && size > 1) {
      taken = 1;
      counter = await store.limits.takeRequests(key, minute, day, limit, 1);
    }
    if (!counter) return undefined;
    if (slices.size >= MAX_SCOPES) slices.clear();
    const slice = { minute, left: taken - 1, counter };
    slices.set(key, slice);
    return slice;
  }

  async function readTokens(key: string): Promise<LimitCounter | undefined> {
    const read = tokenReads.get(key);
    if (read && Date.now() - read.at < TOKEN_READ_MS) return read.counter;
    const counter = await store.limits.readCounter(key);
    if (tokenReads.size >= MAX_SCOPES) tokenReads.clear();
    tokenReads.set(key, { at: Date.now(), counter });
    return counter;
  }

  async function count(principal: Principal, cached: readonly LimitScope[] | undefined) {
    const scopes = cached ?? (await policy.scopes(principal.projectId, principal.keyId));
    if (scopes.length === 0) return NO_HEADERS;
    const now = nowSeconds();
    const minute = windowStart(now, MINUTE_SECONDS);
    const day = windowStart(now, DAY_SECONDS);
    const spent: Slice[] = [];
    let requests: WindowState | undefined;
    let tokens: WindowState | undefined;
    for (const scope of [...scopes].reverse()) {
      const key = scopeKey(scope);
      const perMinute = scope.limits.max_requests_per_1_minute;
      const perDay = scope.limits.max_tokens_per_1_day;
      let counter: LimitCounter | undefined;
      if (perMinute !== null) {
        const slice = await spend(key, perMinute, minute, day);
        if (!slice) {
          for (const other of spent) if (other.minute === minute) other.left += 1;
          throw refusal(scope, perMinute, minute + MINUTE_SECONDS - now);
        }
        spent.push(slice);
        counter = slice.counter;
        requests = tighter(requests, {
          limit: perMinute,
          remaining: perMinute - slice.counter.requests + slice.left,
          resetSeconds: minute + MINUTE_SECONDS - now,
        });
      } else if (perDay !== null) {
        counter = await readTokens(key);
      }
      if (perDay !== null) {
        const used = counter && counter.dayStart === day ? counter.tokens : 0;
        tokens = tighter(tokens, {
          limit: perDay,
          remaining: perDay - used,
          resetSeconds: day + DAY_SECONDS - now,
        });
      }
    }
    return rateLimitHeaders({ requests, tokens });
  }

  return (principal) => {
    const cached = policy.cachedScopes(principal.projectId, principal.keyId);
    return cached?.length === 0 ? NO_HEADERS : count(principal, cached);
  };
}

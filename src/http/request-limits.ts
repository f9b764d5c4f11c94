/**
 * Requests per minute, per project and per key, counted in the database so every API node spends
 * from one figure. Each limited scope costs one upsert per request (the key's first, then the
 * project's; a project refusal gives the key's back); a scope limited in tokens only costs one read.
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
  type WindowState,
} from '../domain/limits.ts';
import type { Store } from '../storage/store.ts';
import type { Principal } from './route.ts';

/** Counts a request of `principal`; returns the headers to send, or throws the 429. */
export type RequestLimiter = (principal: Principal) => Promise<Record<string, string>>;

export function createRequestLimiter(store: Store, policy: LimitPolicy): RequestLimiter {
  return async (principal) => {
    const scopes = await policy.scopes(principal.projectId, principal.keyId);
    if (scopes.length === 0) return {};
    const now = nowSeconds();
    const minute = windowStart(now, MINUTE_SECONDS);
    const day = windowStart(now, DAY_SECONDS);
    const taken: string[] = [];
    let requests: WindowState | undefined;
    let tokens: WindowState | undefined;
    for (const scope of [...scopes].reverse()) {
      const key = scopeKey(scope);
      const perMinute = scope.limits.max_requests_per_1_minute;
      const perDay = scope.limits.max_tokens_per_1_day;
      let counter;
      if (perMinute !== null) {
        counter =
          perMinute > 0 ? await store.limits.takeRequest(key, minute, day, perMinute) : undefined;
        if (!counter) {
          await Promise.all(taken.map((other) => store.limits.returnRequest(other, minute)));
          const resetSeconds = minute + MINUTE_SECONDS - now;
          const name = scope.kind === 'project' ? `project ${scope.id}` : `API key ${scope.id}`;
          throw new RateLimitError(
            `Rate limit reached for requests per min (RPM) in ${name}: Limit ${perMinute}, Requested 1. Please try again in ${resetSeconds}s.`,
            'requests',
            {
              ...rateLimitHeaders({ requests: { limit: perMinute, remaining: 0, resetSeconds } }),
              'retry-after': String(resetSeconds),
            },
          );
        }
        taken.push(key);
        requests = tighter(requests, {
          limit: perMinute,
          remaining: perMinute - counter.requests,
          resetSeconds: minute + MINUTE_SECONDS - now,
        });
      } else if (perDay !== null) {
        counter = await store.limits.readCounter(key);
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
  };
}

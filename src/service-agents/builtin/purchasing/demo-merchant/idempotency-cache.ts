/**
 * ACP's idempotency rule, as a merchant keeps it: a POST with an `Idempotency-Key` seen before, with the
 * same body, gets the stored answer again; the same key with another body is refused (409
 * `request_not_idempotent`); 5xx answers are never stored, so a retry after a server error runs again.
 */
import { createHash } from 'node:crypto';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export interface IdempotencyCache {
  /** The stored answer for `key`, `conflict` when the key came with another body, or undefined when new. */
  lookup(scope: string, key: string, body: unknown): StoredAnswer | 'conflict' | undefined;
  store(scope: string, key: string, body: unknown, answer: StoredAnswer): void;
}

function digest(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

export function createIdempotencyCache(): IdempotencyCache {
  const entries = new Map<string, { digest: string; answer: StoredAnswer }>();
  return {
    lookup(scope, key, body) {
      const entry = entries.get(`${scope}\n${key}`);
      if (!entry) return undefined;
      return entry.digest === digest(body) ? entry.answer : 'conflict';
    },
    store(scope, key, body, answer) {
      if (answer.status >= 500) return;
      entries.set(`${scope}\n${key}`, { digest: digest(body), answer });
    },
  };
}

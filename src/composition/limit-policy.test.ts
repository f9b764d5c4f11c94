import { describe, expect, it } from 'vitest';
import { NO_LIMITS, type Limits, type OverridesReader } from '../domain/limits.ts';
import type { Store } from '../storage/store.ts';
import { createLimitPolicy } from './limit-policy.ts';

/** A reader that counts its reads, holding one override of the key `key_a`. */
function countingReader() {
  const limits: Limits = { ...NO_LIMITS, max_requests_per_1_minute: 5 };
  const reader = {
    reads: 0,
    limits: {
      listOverrides: async () => {
        reader.reads += 1;
        return [{ apiKeyId: 'key_a', limits }];
      },
    },
  } satisfies OverridesReader & { reads: number };
  return reader;
}

describe('limit policy', () => {
  const defaults = { project: NO_LIMITS, key: NO_LIMITS };

  it('answers a request’s scopes from the cache without reading again, and not before one read', async () => {
    const policy = createLimitPolicy({} as Store, defaults);
    const reader = countingReader();
    expect(policy.cachedScopes('proj_a', 'key_a')).toBeUndefined();
    const read = await policy.scopes('proj_a', 'key_a', reader);
    expect(read).toEqual([
      { kind: 'key', id: 'key_a', limits: { ...NO_LIMITS, max_requests_per_1_minute: 5 } },
    ]);
    expect(policy.cachedScopes('proj_a', 'key_a')).toEqual(read);
    // Made once per caller while the read holds (every request asks): the same array again.
    expect(policy.cachedScopes('proj_a', 'key_a')).toBe(policy.cachedScopes('proj_a', 'key_a'));
    expect(policy.cachedScopes('proj_a', null)).toEqual([]);
    expect(policy.cachedScopes('proj_a', null)).toBe(policy.cachedScopes('proj_a', null));
    expect(policy.cachedScopes('proj_b', null)).toBeUndefined();
    expect(reader.reads).toBe(1);
    policy.invalidate();
    expect(policy.cachedScopes('proj_a', 'key_a')).toBeUndefined();
  });

  it('holds a read only for its time', async () => {
    const policy = createLimitPolicy({} as Store, defaults, 0);
    await policy.scopes('proj_a', 'key_a', countingReader());
    expect(policy.cachedScopes('proj_a', 'key_a')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { effectiveLimits, formatReset, NO_LIMITS, rateLimitHeaders, tighter } from './limits.ts';

describe('limits', () => {
  it("writes reset durations as OpenAI's headers do", () => {
    expect(formatReset(0)).toBe('0s');
    expect(formatReset(0.2)).toBe('1s');
    expect(formatReset(59)).toBe('59s');
    expect(formatReset(360)).toBe('6m0s');
    expect(formatReset(86_399)).toBe('23h59m59s');
  });

  it('takes each override where set, else the default', () => {
    const defaults = { ...NO_LIMITS, max_requests_per_1_minute: 60, max_stored_bytes: 10 };
    expect(
      effectiveLimits(defaults, {
        ...NO_LIMITS,
        max_requests_per_1_minute: 5,
        max_concurrent_runs: 2,
      }),
    ).toEqual({
      max_requests_per_1_minute: 5,
      max_tokens_per_1_day: null,
      max_concurrent_runs: 2,
      max_stored_bytes: 10,
    });
  });

  it('reports the scope with less left, never a negative remainder', () => {
    const project = { limit: 100, remaining: 40, resetSeconds: 30 };
    const key = { limit: 10, remaining: -2, resetSeconds: 30 };
    expect(rateLimitHeaders({ requests: tighter(project, key) })).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '30s',
    });
  });
});

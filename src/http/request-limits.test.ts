import { expect, it } from 'vitest';
import type { LimitPolicy, LimitScope } from '../domain/limits.ts';
import type { Store } from '../storage/store.ts';
import { createRequestLimiter } from './request-limits.ts';

const principal = { projectId: 'proj_a', admin: false, keyId: null };

it('answers a caller without limits at once (no promise), and reads the limits it does not hold', async () => {
  let held: LimitScope[] | undefined;
  let reads = 0;
  const policy = {
    cachedScopes: () => held,
    scopes: async () => {
      reads += 1;
      held = [];
      return held;
    },
  } as unknown as LimitPolicy;
  const limiter = createRequestLimiter({} as Store, policy);
  const first = limiter(principal);
  expect(first).toBeInstanceOf(Promise);
  expect(await first).toEqual({});
  expect(reads).toBe(1);
  const second = limiter(principal);
  expect(second).not.toBeInstanceOf(Promise);
  expect(second).toEqual({});
  expect(reads).toBe(1);
});

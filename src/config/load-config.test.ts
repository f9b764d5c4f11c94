import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const load = (environment: Record<string, string>) => loadConfig({ environment });

describe('CONCIERGE_VECTOR_CACHE_MB', () => {
  it('bounds the vectors held in memory: 256 MiB by default, 0 for none', () => {
    expect(load({}).vectorCacheMb).toBe(256);
    expect(load({ CONCIERGE_VECTOR_CACHE_MB: '0' }).vectorCacheMb).toBe(0);
    expect(load({ CONCIERGE_VECTOR_CACHE_MB: '1024' }).vectorCacheMb).toBe(1024);
  });

  it('rejects a negative or fractional size, naming the variable', () => {
    expect(() => load({ CONCIERGE_VECTOR_CACHE_MB: '-1' })).toThrow(/CONCIERGE_VECTOR_CACHE_MB/);
    expect(() => load({ CONCIERGE_VECTOR_CACHE_MB: '1.5' })).toThrow(/CONCIERGE_VECTOR_CACHE_MB/);
  });
});

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { resolveA2aAllowedHosts } from './allowed-hosts.ts';

describe('a2aAllowedHosts', () => {
  it('reads a comma-separated CONCIERGE_A2A_ALLOWED_HOSTS', () => {
    const config = loadConfig({
      environment: {
        CONCIERGE_A2A_ALLOWED_HOSTS: ' agents.example.com, localhost:4000,*.swap.dev ,',
      },
    });
    expect(config.a2aAllowedHosts).toEqual(['agents.example.com', 'localhost:4000', '*.swap.dev']);
    expect(resolveA2aAllowedHosts(config)).toEqual([
      'agents.example.com',
      'localhost:4000',
      '*.swap.dev',
    ]);
  });

  it('names the variable when an entry is a URL instead of a host', () => {
    expect(() =>
      loadConfig({ environment: { CONCIERGE_A2A_ALLOWED_HOSTS: 'https://agents.example.com' } }),
    ).toThrow(
      /CONCIERGE_A2A_ALLOWED_HOSTS \(config key "a2aAllowedHosts"\).*'https:\/\/agents\.example\.com' is not a host pattern/,
    );
  });

  it('defaults to loopback in dev mode and to nothing once an admin key is set', () => {
    expect(resolveA2aAllowedHosts(loadConfig({ environment: {} }))).toEqual([
      'localhost',
      '127.0.0.1',
      '::1',
    ]);
    expect(
      resolveA2aAllowedHosts(loadConfig({ environment: { CONCIERGE_API_KEY: 'admin-key-123' } })),
    ).toEqual([]);
  });
});

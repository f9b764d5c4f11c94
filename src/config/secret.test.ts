import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';

const KEY = '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

function malformedKey() {
  return loadConfig({ environment: { CONCIERGE_CHAIN_PRIVATE_KEY: 'not-a-key-but-secret-words' } });
}

describe('chainPrivateKey (CONCIERGE_CHAIN_PRIVATE_KEY)', () => {
  it('loads from the environment and is never printed by logs, JSON or inspection', () => {
    const config = loadConfig({
      environment: { CONCIERGE_CHAIN_PRIVATE_KEY: KEY },
    }).chainPrivateKey;
    expect(config?.reveal()).toBe(`0x${KEY}`);
    const whole = loadConfig({ environment: { CONCIERGE_CHAIN_PRIVATE_KEY: `0x${KEY}` } });
    for (const printed of [
      JSON.stringify(whole),
      inspect(whole, { depth: 5 }),
      String(whole.chainPrivateKey),
      `${whole.chainPrivateKey}`,
    ]) {
      expect(printed).not.toContain(KEY);
    }
    expect(JSON.stringify(whole)).toContain('"chainPrivateKey":"[redacted]"');
  });

  it('rejects a malformed key naming the variable, without echoing the value', () => {
    expect(malformedKey).toThrow(ConfigError);
    expect(malformedKey).toThrow(
      /CONCIERGE_CHAIN_PRIVATE_KEY \(config key "chainPrivateKey"\): must be a 32-byte hex private key/,
    );
    expect(malformedKey).not.toThrow(/secret-words/);
  });
});

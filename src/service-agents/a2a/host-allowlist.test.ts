import { describe, expect, it } from 'vitest';
import { createHostAllowlist, parseHostPattern } from './host-allowlist.ts';

describe('A2A host allowlist', () => {
  it('matches host names exactly, case-insensitively, on any port unless one is given', () => {
    const allowlist = createHostAllowlist(['Agents.Example.com', 'localhost:4000']);
    expect(
      allowlist.allows(new URL('https://agents.example.com/.well-known/agent-card.json')),
    ).toBe(true);
    expect(allowlist.allows(new URL('http://AGENTS.example.com:8080/a2a'))).toBe(true);
    expect(allowlist.allows(new URL('https://agents.example.com./a2a'))).toBe(true);
    expect(allowlist.allows(new URL('https://evil-agents.example.com/'))).toBe(false);
    expect(allowlist.allows(new URL('https://agents.example.com.evil.net/'))).toBe(false);
    expect(allowlist.allows(new URL('http://localhost:4000/'))).toBe(true);
    expect(allowlist.allows(new URL('http://localhost:4001/'))).toBe(false);
    expect(allowlist.allows(new URL('http://localhost/'))).toBe(false);
  });

  it('takes *.domain for subdomains only, and IPv6 with or without brackets', () => {
    const allowlist = createHostAllowlist(['*.agents.dev', '::1', '[fd00::2]:9000']);
    expect(allowlist.allows(new URL('https://swap.agents.dev/'))).toBe(true);
    expect(allowlist.allows(new URL('https://a.b.agents.dev/'))).toBe(true);
    expect(allowlist.allows(new URL('https://agents.dev/'))).toBe(false);
    expect(allowlist.allows(new URL('https://xagents.dev/'))).toBe(false);
    expect(allowlist.allows(new URL('http://[::1]:3000/'))).toBe(true);
    expect(allowlist.allows(new URL('http://[fd00::2]:9000/'))).toBe(true);
    expect(allowlist.allows(new URL('http://[fd00::2]:9001/'))).toBe(false);
  });

  it('refuses schemes other than http(s) and URLs with credentials, even for listed hosts', () => {
    const allowlist = createHostAllowlist(['127.0.0.1']);
    expect(allowlist.allows(new URL('ftp://127.0.0.1/card.json'))).toBe(false);
    expect(allowlist.allows(new URL('file://127.0.0.1/etc/passwd'))).toBe(false);
    expect(allowlist.allows(new URL('http://user:secret@127.0.0.1/'))).toBe(false);
    expect(createHostAllowlist([]).allows(new URL('http://127.0.0.1/'))).toBe(false);
  });

  it('rejects entries that are not host patterns', () => {
    for (const entry of [
      'http://example.com',
      'example.com/path',
      '*',
      '*.',
      'exa mple.com',
      'a..b',
    ]) {
      expect(parseHostPattern(entry), entry).toBeUndefined();
    }
    expect(() => createHostAllowlist(['https://x.dev'])).toThrow(/is not a host pattern/);
  });
});

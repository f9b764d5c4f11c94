import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost, parseLoopbackAuthority } from './loopback.ts';

describe('loopback', () => {
  it('accepts only real loopback hosts to listen on, never a name that merely starts like one', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1'])
      expect(isLoopbackHost(host), host).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    for (const host of [
      '127.evil.example',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '127.1',
      '127.000.0.1',
      '0.0.0.0',
      '::',
      '128.0.0.1',
      '10.0.0.1',
      '[::1]',
      '',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('knows loopback peer addresses, IPv4-mapped ones included', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('10.1.2.3')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('parses Host headers that name loopback, with or without a port', () => {
    expect(parseLoopbackAuthority('localhost:8787')).toEqual({ host: 'localhost', port: '8787' });
    expect(parseLoopbackAuthority('127.0.0.1')).toEqual({ host: '127.0.0.1', port: null });
    expect(parseLoopbackAuthority('[::1]:80')).toEqual({ host: '::1', port: '80' });
    for (const header of [
      'evil.example',
      'evil.example:8787',
      '127.evil.example',
      'localhost.evil.example:8787',
      'localhost.',
      '::1',
      '[::2]:80',
      'localhost:port',
      'localhost:8787@evil.example',
      '',
    ])
      expect(parseLoopbackAuthority(header), header).toBeUndefined();
  });
});

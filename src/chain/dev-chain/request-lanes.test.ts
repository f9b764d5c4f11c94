import { describe, expect, it } from 'vitest';
import { createRequestLanes } from './request-lanes.ts';

/** A piece of work that runs until released, recording when it starts. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    release: () => release(),
    work: async () => {
      log.push(name);
      await done;
      return name;
    },
  };
}

describe('request lanes in front of the dev chain', () => {
  it('runs one request at a time: server work first, then the proxied call of the caller served longest ago', async () => {
    const lanes = createRequestLanes();
    const log: string[] = [];
    const running = gate(log, 'a1');
    const first = lanes.proxied('a', running.work);
    const rest = [
      lanes.proxied('a', async () => void log.push('a2')),
      lanes.proxied('a', async () => void log.push('a3')),
      lanes.proxied('b', async () => void log.push('b1')),
      lanes.server(async () => void log.push('server')),
    ];
    await Promise.resolve();
    expect(log).toEqual(['a1']);
    running.release();
    await Promise.all([first, ...rest]);
    // b has not been served yet, a has: b's call goes before a's next ones.
    expect(log).toEqual(['a1', 'server', 'b1', 'a2', 'a3']);
  });

  it('drops a proxied call whose signal aborts while it waits, and it never runs', async () => {
    const lanes = createRequestLanes();
    const log: string[] = [];
    const running = gate(log, 'server');
    const first = lanes.server(running.work);
    const controller = new AbortController();
    const dropped = lanes.proxied('a', async () => void log.push('dropped'), controller.signal);
    const kept = lanes.proxied('a', async () => void log.push('kept'));
    controller.abort(new Error('timed out'));
    await expect(dropped).rejects.toThrow('timed out');
    running.release();
    await Promise.all([first, kept]);
    expect(log).toEqual(['server', 'kept']);
  });

  it('keeps going after a failed request', async () => {
    const lanes = createRequestLanes();
    await expect(lanes.server(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lanes.proxied('a', async () => 'answered')).toBe('answered');
  });
});

import { describe, expect, it } from 'vitest';
import { createLogRelay } from './log-relay.ts';

function recorder() {
  const lines: unknown[][] = [];
  const level =
    (name: string) =>
    (...args: unknown[]) =>
      void lines.push([name, ...args]);
  return { lines, target: { info: level('info'), warn: level('warn'), error: level('error') } };
}

describe('log relay', () => {
  it('writes lines logged before attach, in order, then passes the rest through', () => {
    const relay = createLogRelay();
    const error = new Error('lost');
    relay.log.info('code_interpreter: bubblewrap');
    relay.log.warn({ err: error }, 'event bus: reconnecting');
    const { lines, target } = recorder();
    relay.attach(target);
    relay.log.error({ runId: 'run_1' }, 'run execution crashed');
    expect(lines).toEqual([
      ['info', 'code_interpreter: bubblewrap'],
      ['warn', { err: error }, 'event bus: reconnecting'],
      ['error', { runId: 'run_1' }, 'run execution crashed'],
    ]);
  });

  it('keeps at most the newest 100 lines before attach', () => {
    const relay = createLogRelay();
    for (let index = 0; index < 150; index++) relay.log.info(`line ${index}`);
    const { lines, target } = recorder();
    relay.attach(target);
    expect(lines).toHaveLength(100);
    expect(lines[0]).toEqual(['info', 'line 50']);
  });
});

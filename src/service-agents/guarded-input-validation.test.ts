import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Worker threads started by this file, counted at construction. */
const workers = vi.hoisted(() => ({ started: 0 }));
vi.mock('node:worker_threads', async (original) => {
  const actual = await original<typeof import('node:worker_threads')>();
  class CountedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      workers.started++;
    }
  }
  return { ...actual, Worker: CountedWorker };
});

const { createGuardedInputValidator } = await import('./guarded-input-validation.ts');

const schema = {
  type: 'object',
  properties: { memo: { type: 'string', pattern: '^(a+)+$' } },
};
/** `^(a+)+$` backtracks 2^28 ways before failing on the '!': many seconds on one core. */
const HOSTILE = JSON.stringify({ memo: `${'a'.repeat(28)}!` });
const TIME_LIMIT = /its patterns took more than 1 s on them/;

describe('guarded input validation', () => {
  let opened = createGuardedInputValidator();
  afterEach(async () => {
    await opened.close();
    opened = createGuardedInputValidator();
    workers.started = 0;
  });

  it('checks calls one after another in one worker, started with the first', async () => {
    expect(await opened.validate({ type: 'object' }, '{"memo":"!"}')).toEqual({
      input: { memo: '!' },
    });
    expect(workers.started).toBe(0); // no pattern: checked in place
    expect(await opened.validate(schema, '{"memo":"aa"}')).toEqual({ input: { memo: 'aa' } });
    expect(await opened.validate(schema, '{"memo":"ab"}')).toEqual({
      error: `The arguments do not match the agent's input schema: /memo must match pattern "^(a+)+$".`,
    });
    expect(workers.started).toBe(1);
  });

  it('stops a hostile pattern at the limit, and the next call gets a fresh worker', async () => {
    expect(await opened.validate(schema, HOSTILE)).toEqual({
      error: expect.stringMatching(TIME_LIMIT),
    });
    expect(await opened.validate(schema, '{"memo":"aaa"}')).toEqual({ input: { memo: 'aaa' } });
    expect(workers.started).toBe(2);
  });

  it('answers parallel calls rightly with a hostile one among them', async () => {
    const calls = ['"a"', HOSTILE, '"aa"', '"b"', '{"memo":1}', HOSTILE, '"aaaa"'].map((memo) =>
      opened.validate(schema, memo.startsWith('{') ? memo : `{"memo":${memo}}`),
    );
    expect(await Promise.all(calls)).toEqual([
      { input: { memo: 'a' } },
      { error: expect.stringMatching(TIME_LIMIT) },
      { input: { memo: 'aa' } },
      { error: expect.stringContaining('/memo must match pattern') },
      { error: expect.stringContaining('/memo must be string') },
      { error: expect.stringMatching(TIME_LIMIT) },
      { input: { memo: 'aaaa' } },
    ]);
    // One worker per hostile call stopped, and one for the calls after the last.
    expect(workers.started).toBe(3);
  });

  it('answers a schema it cannot compile with an error, and keeps its worker', async () => {
    expect(
      await opened.validate({ type: 'object', properties: { memo: { pattern: '(' } } }, '{}'),
    ).toEqual({
      error: expect.stringMatching(
        /^The arguments could not be checked: Invalid regular expression/,
      ),
    });
    expect(await opened.validate(schema, '{"memo":"a"}')).toEqual({ input: { memo: 'a' } });
    expect(workers.started).toBe(1);
  });

  it('answers calls waiting at close with an error, and refuses calls after it', async () => {
    const waiting = opened.validate(schema, HOSTILE);
    await opened.close();
    const closing = { error: 'The arguments could not be checked: the server is closing.' };
    expect(await waiting).toEqual(closing);
    expect(await opened.validate(schema, '{"memo":"a"}')).toEqual(closing);
  });

  it('does not hold the process open once it has answered', () => {
    const module = pathToFileURL(
      fileURLToPath(new URL('./guarded-input-validation.ts', import.meta.url)),
    );
    const directory = mkdtempSync(join(tmpdir(), 'concierge-guarded-'));
    const script = join(directory, 'validate-once.mjs');
    writeFileSync(
      script,
      `const { createGuardedInputValidator } = await import(${JSON.stringify(module.href)});
      const validator = createGuardedInputValidator();
      const schema = { type: 'object', properties: { memo: { type: 'string', pattern: '^a+$' } } };
      console.log(JSON.stringify(await validator.validate(schema, '{"memo":"aa"}')));`,
    );
    // Never closed: the process must still end by itself (the timeout catches a hang).
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    rmSync(directory, { recursive: true, force: true });
    expect(child.stdout.trim()).toBe('{"input":{"memo":"aa"}}');
    expect(child.status).toBe(0);
  });
});

/**
 * The cancellation cases every sandbox backend passes (`RunCellOptions.signal`): a running cell is
 * killed at once with its interpreter, and the next cell starts a fresh one with the files kept; a
 * cell cancelled before it began, or while it waited for its turn, never runs and leaves the
 * session as it was.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Sandbox } from '../../src/tools/code-interpreter/sandbox.ts';
import { descendants, leftRunning, startedSince } from './process-tree.ts';
import { waitFor } from './wait-for.ts';

/** Longer than any test waits: a cell that stops only at its limit fails the test. */
const LONG = { timeoutMs: 600_000 };
/** Room for two interpreter starts (Pyodide takes 3–8 s each) on a loaded machine. */
const TEST_TIMEOUT_MS = 120_000;

/** Opens a session of `sandbox` for `test`, closing it after. */
async function withSession(
  sandbox: Sandbox,
  key: string,
  test: (session: Awaited<ReturnType<Sandbox['openSession']>>) => Promise<void>,
) {
  const session = await sandbox.openSession(key);
  try {
    await test(session);
  } finally {
    await session.close();
  }
}

/** `kernel`: the command name of the backend's kernel process (`python3`, `node`). */
export function cellCancellationCases(sandbox: () => Sandbox, kernel: string): void {
  it(
    'kills a running cell at once when its signal aborts; the next cell starts afresh, files kept',
    async () => {
      const earlier = descendants();
      await withSession(sandbox(), 'cancel_running', async (current) => {
        expect((await current.runCell('kept = 1', LONG)).error).toBeNull();
        // This session's processes: its kernel, and nothing else yet.
        const before = startedSince(earlier);
        expect(before.map((entry) => entry.command)).toContain(kernel);
        const controller = new AbortController();
        const running = current.runCell(
          [
            'import os',
            'with open("/mnt/data/starting", "w") as marker:',
            '    marker.write("yes")',
            'os.replace("/mnt/data/starting", "/mnt/data/started")',
            'while True:',
            '    pass',
          ].join('\n'),
          { ...LONG, signal: controller.signal },
        );
        await waitFor(
          async () => existsSync(join(current.directory, 'started')),
          'the cell to start',
        );
        controller.abort();
        const result = await running;
        expect(result).toMatchObject({ killedReason: 'cancelled', timedOut: false });
        expect(result.error).toMatchObject({ name: 'CancelledError' });
        expect(result.error!.message).toContain('variables are lost');
        expect(current.alive).toBe(false);
        expect(await leftRunning(before, earlier)).toEqual([]);

        const next = await current.runCell(
          'print(open("/mnt/data/started").read(), "kept" in globals())',
          LONG,
        );
        expect(next).toMatchObject({ logs: 'yes False\n', error: null });
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'does not run a cell whose signal aborted before it began, nor one cancelled in the queue',
    async () => {
      await withSession(sandbox(), 'cancel_queued', async (current) => {
        expect((await current.runCell('count = 0', LONG)).error).toBeNull();
        const skipped = await current.runCell('count += 1', {
          ...LONG,
          signal: AbortSignal.abort(),
        });
        expect(skipped.error).toMatchObject({ name: 'CancelledError' });
        expect(skipped.killedReason).toBeUndefined();

        // The second cell waits behind the first, is cancelled there, answers before it ends.
        const first = current.runCell(
          [
            'import os, time',
            'open("/mnt/data/first", "w").write("1")',
            'while not os.path.exists("/mnt/data/go"):',
            '    time.sleep(0.01)',
          ].join('\n'),
          LONG,
        );
        const queued = new AbortController();
        const second = current.runCell('count += 10', { ...LONG, signal: queued.signal });
        await waitFor(async () => existsSync(join(current.directory, 'first')), 'the first cell');
        queued.abort();
        expect((await second).error).toMatchObject({ name: 'CancelledError' });
        await writeFile(join(current.directory, 'go'), '');
        expect((await first).error).toBeNull();
        // Neither cancelled cell ran, and the session kept its variables.
        expect(current.alive).toBe(true);
        expect((await current.runCell('count', LONG)).logs).toBe('0\n');
      });
    },
    TEST_TIMEOUT_MS,
  );
}

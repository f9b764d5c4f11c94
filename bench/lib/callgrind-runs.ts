/**
 * What the instruction-count benches share (`scale/run-instructions.ts` on SQLite,
 * `scale/postgres-instructions.ts` on PostgreSQL): driving streamed runs through the SDK, waiting for
 * a server started under valgrind, switching callgrind's counting, and reading its dumps' totals.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type OpenAI from 'openai';

/**
 * Streams `count` createAndRun calls, `concurrency` at a time, as `scale` does (the fixed-latency
 * upstream's 20 tokens); returns how many did not complete, the first one's reason on stderr.
 */
export async function driveRuns(
  client: OpenAI,
  assistantId: string,
  count: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const run = await client.beta.threads
          .createAndRunStream({
            assistant_id: assistantId,
            thread: { messages: [{ role: 'user', content: 'Go.' }] },
          })
          .finalRun()
          .catch((error: unknown) => {
            if (failed === 0) console.error(`a run failed: ${String(error)}`);
            return undefined;
          });
        if (run?.status !== 'completed') {
          if (failed === 0 && run)
            console.error(`a run ended ${run.status}: ${JSON.stringify(run.last_error)}`);
          failed += 1;
        }
      }
    }),
  );
  return failed;
}

/** Waits until `/health` on `port` answers (a server under valgrind starts some fifty times slower). */
export async function waitUntilUp(port: number, what: string, log: () => string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;
    if (attempt > 1200) throw new Error(`${what} did not start:\n${log()}`);
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

/** Sends `callgrind_control <option>` to each process (vgdb names its pipes after HOST). */
export function controlCallgrind(option: string, pids: number[], host: string): void {
  for (const pid of pids)
    execFileSync('callgrind_control', [option, String(pid)], {
      env: { ...process.env, HOST: host },
      stdio: 'ignore',
    });
}

/**
 * The instructions in each dump named `<prefix>.<pid>…` in `directory` (one per thread with
 * `--separate-threads=yes`), by file name. A dump is written when the process next looks at its
 * commands: this waits for the first file, then a little for the rest.
 */
export async function dumpTotals(directory: string, prefix: string): Promise<Map<string, number>> {
  const pattern = new RegExp(`^${prefix.replaceAll('.', '\\.')}\\.\\d+`);
  const dumps = () => readdirSync(directory).filter((name) => pattern.test(name));
  for (let attempt = 0; attempt < 600 && dumps().length === 0; attempt++)
    await new Promise((wait) => setTimeout(wait, 100));
  await new Promise((wait) => setTimeout(wait, 2000));
  const totals = new Map<string, number>();
  for (const name of dumps()) {
    const found = /^totals: (\d+)/m.exec(readFileSync(join(directory, name), 'utf8'));
    totals.set(name, Number(found?.[1] ?? 0));
  }
  return totals;
}

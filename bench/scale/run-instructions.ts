/**
 * Instructions per streamed run of one `concierge serve` on SQLite, counted by valgrind's callgrind
 * (every thread of the process: the JIT's and the GC's helpers too): independent of the machine's
 * load, so a before/after pair resolves changes of a few percent that CPU time on a shared machine
 * cannot. The same runs as `scale` (createAndRunStream, the fixed-latency upstream's 20 tokens), started
 * `concurrency` at a time; counting is switched on after `warmup` runs and off after `runs` more.
 * Needs valgrind. Run: node --import tsx bench/scale/run-instructions.ts [runs=200] [warmup=200]
 * [concurrency=8] [root=.] (`root`: another checkout to measure, with its own dist/).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { freePort } from '../../test/helpers/server-process.ts';
import { controlCallgrind, driveRuns, dumpTotals, waitUntilUp } from '../lib/callgrind-runs.ts';
import { startChildServer } from '../lib/child-server.ts';

const runs = Number(process.argv[2] ?? 200);
const warmup = Number(process.argv[3] ?? 200);
const concurrency = Number(process.argv[4] ?? 8);
const root = resolve(process.argv[5] ?? '.');

async function main(): Promise<void> {
  const upstream = await startChildServer(
    join(import.meta.dirname, '../lib/fixed-latency-upstream.ts'),
    { FIRST_TOKEN_MS: '20', TOKEN_INTERVAL_MS: '10', TOKENS: '20' },
  );
  const directory = mkdtempSync(join(tmpdir(), 'concierge-instructions-'));
  const port = await freePort();
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(directory, 'callgrind.out')}`,
      process.execPath,
      join(root, 'bin/concierge.mjs'),
      'serve',
    ],
    {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        CONCIERGE_LOG_LEVEL: 'warn',
        CONCIERGE_PROVIDER_BASE_URL: upstream.url,
        CONCIERGE_CODE_SANDBOX: 'off',
        CONCIERGE_PLAYGROUND: 'off',
        CONCIERGE_DATABASE_URL: `sqlite:${join(directory, 'bench.db')}`,
        CONCIERGE_DATA_DIR: join(directory, 'data'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  const exited = new Promise((done) => child.once('exit', done));
  const baseURL = `http://127.0.0.1:${port}/v1`;
  try {
    await waitUntilUp(port, 'serve', () => log);
    const client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0, timeout: 600_000 });
    const assistant = await client.beta.assistants.create({ model: 'bench-model' });
    const warmFailed = await driveRuns(client, assistant.id, warmup, concurrency);
    // vgdb names its pipes after HOST, which the server's environment sets.
    const control = (option: string) => controlCallgrind(option, [child.pid!], '127.0.0.1');
    control('--instr=on');
    const failed = await driveRuns(client, assistant.id, runs, concurrency);
    control('--instr=off');
    control('--dump');
    // One dump per thread: the main thread's (`-01`) is the JavaScript and SQLite; the others are
    // V8's compiler and garbage collector helpers, and libuv's pool.
    let instructions = 0;
    let mainThread = 0;
    for (const [name, total] of await dumpTotals(directory, 'callgrind.out')) {
      instructions += total;
      if (name.endsWith('-01')) mainThread += total;
    }
    console.log(
      `${root}: ${runs} runs (${failed} failed; warm-up ${warmup}, ${warmFailed} failed), ${concurrency} at a time: ` +
        `${(mainThread / runs / 1e6).toFixed(3)} M instructions per run on the main thread, ` +
        `${(instructions / runs / 1e6).toFixed(3)} M in all threads`,
    );
  } finally {
    child.kill('SIGTERM');
    await exited;
    await upstream.stop();
    if (!process.env['KEEP']) rmSync(directory, { recursive: true, force: true });
    else console.log(directory);
  }
}

await main();

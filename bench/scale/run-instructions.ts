/**
 * Instructions per streamed run of one `concierge serve` on SQLite, counted by valgrind's callgrind
 * (every thread of the process: the JIT's and the GC's helpers too): independent of the machine's
 * load, so a before/after pair resolves changes of a few percent that CPU time on a shared machine
 * cannot. The same runs as `scale` (createAndRunStream, the fixed-latency upstream's 20 tokens), started
 * `concurrency` at a time; counting is switched on after `warmup` runs and off after `runs` more.
 * Needs valgrind. Run: node --import tsx bench/scale/run-instructions.ts [runs=200] [warmup=200]
 * [concurrency=8] [root=.] (`root`: another checkout to measure, with its own dist/).
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { freePort } from '../../test/helpers/server-process.ts';
import { startChildServer } from '../lib/child-server.ts';

const runs = Number(process.argv[2] ?? 200);
const warmup = Number(process.argv[3] ?? 200);
const concurrency = Number(process.argv[4] ?? 8);
const root = resolve(process.argv[5] ?? '.');

async function drive(client: OpenAI, assistantId: string, count: number): Promise<number> {
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
          .catch(() => undefined);
        if (run?.status !== 'completed') failed += 1;
      }
    }),
  );
  return failed;
}

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
    for (let attempt = 0; ; attempt++) {
      const up = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (up) break;
      if (attempt > 1200) throw new Error(`serve did not start:\n${log}`);
      await new Promise((wait) => setTimeout(wait, 250));
    }
    const client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0, timeout: 600_000 });
    const assistant = await client.beta.assistants.create({ model: 'bench-model' });
    const warmFailed = await drive(client, assistant.id, warmup);
    const control = (option: string) =>
      execFileSync('callgrind_control', [option, String(child.pid)], {
        // vgdb names its pipes after HOST, which the server's environment sets.
        env: { ...process.env, HOST: '127.0.0.1' },
        stdio: 'ignore',
      });
    control('--instr=on');
    const failed = await drive(client, assistant.id, runs);
    control('--instr=off');
    control('--dump');
    // The dump is written when the process next looks at its commands: wait for the file.
    let dumps: string[] = [];
    for (let attempt = 0; attempt < 600 && dumps.length === 0; attempt++) {
      await new Promise((wait) => setTimeout(wait, 100));
      dumps = readdirSync(directory).filter((name) => /^callgrind\.out\.\d+/.test(name));
    }
    await new Promise((wait) => setTimeout(wait, 2000));
    dumps = readdirSync(directory).filter((name) => /^callgrind\.out\.\d+/.test(name));
    // One dump per thread: the main thread's (`-01`) is the JavaScript and SQLite; the others are
    // V8's compiler and garbage collector helpers, and libuv's pool.
    let instructions = 0;
    let mainThread = 0;
    for (const name of dumps) {
      const totals = /^totals: (\d+)/m.exec(readFileSync(join(directory, name), 'utf8'));
      instructions += Number(totals?.[1] ?? 0);
      if (name.endsWith('-01')) mainThread += Number(totals?.[1] ?? 0);
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

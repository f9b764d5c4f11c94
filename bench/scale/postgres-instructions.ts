/**
 * Instructions per streamed run of each node of a PostgreSQL deployment, an API node
 * (`serve --no-worker`) and a worker (`concierge worker`), each counted by valgrind's callgrind
 * (every thread of the process: the JIT's and the GC's helpers too). Independent of the machine's
 * load, so a before/after pair resolves changes of a few percent that CPU time on a shared machine
 * cannot. The same runs as `scale` (createAndRunStream, the fixed-latency upstream's 20 tokens),
 * `concurrency` at a time; counting is switched on after `warmup` runs and off after `runs` more.
 * Under valgrind each process is some fifty times slower, so more token deltas meet in one batch
 * than at full speed: compare two trees in the same conditions, not with `scale`'s CPU time.
 * Needs valgrind and PostgreSQL (CONCIERGE_BENCH_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/test).
 * Run: node --import tsx bench/scale/postgres-instructions.ts [runs=100] [warmup=100]
 * [concurrency=8] [root=.] (`root`: another checkout to measure, with its own dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { freePort } from '../../test/helpers/server-process.ts';
import { controlCallgrind, driveRuns, dumpTotals, waitUntilUp } from '../lib/callgrind-runs.ts';
import { startChildServer } from '../lib/child-server.ts';

const runs = Number(process.argv[2] ?? 100);
const warmup = Number(process.argv[3] ?? 100);
const concurrency = Number(process.argv[4] ?? 8);
const root = resolve(process.argv[5] ?? '.');
const postgresUrl =
  process.env['CONCIERGE_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Counted {
  role: string;
  child: ChildProcess;
  directory: string;
  log(): string;
  exited: Promise<unknown>;
}

/** `concierge <args>` under callgrind, counting nothing until told to. */
function underCallgrind(
  role: string,
  args: string[],
  environment: Record<string, string>,
  directory: string,
): Counted {
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(directory, `${role}.callgrind.out`)}`,
      process.execPath,
      join(root, 'bin/concierge.mjs'),
      ...args,
    ],
    { env: { ...process.env, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  const exited = new Promise((done) => child.once('exit', done));
  return { role, child, directory, log: () => log, exited };
}

async function main(): Promise<void> {
  const upstream = await startChildServer(
    join(import.meta.dirname, '../lib/fixed-latency-upstream.ts'),
    { FIRST_TOKEN_MS: '20', TOKEN_INTERVAL_MS: '10', TOKENS: '20' },
  );
  const directory = mkdtempSync(join(tmpdir(), 'concierge-pg-instructions-'));
  const schema = `bench_instructions_${Date.now()}`;
  const url = new URL(postgresUrl);
  url.searchParams.set('schema', schema);
  const port = await freePort();
  const environment = {
    HOST: '127.0.0.1',
    PORT: String(port),
    CONCIERGE_LOG_LEVEL: 'warn',
    CONCIERGE_PROVIDER_BASE_URL: upstream.url,
    CONCIERGE_CODE_SANDBOX: 'off',
    CONCIERGE_PLAYGROUND: 'off',
    // Some fifty times slower under valgrind: no lease or model call may time out meanwhile.
    CONCIERGE_LEASE_SECONDS: '600',
    CONCIERGE_MODEL_TIMEOUT_SECONDS: '600',
    CONCIERGE_DATABASE_URL: url.toString(),
    CONCIERGE_DATA_DIR: join(directory, 'data'),
  };
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  // The API node first: it migrates the schema the worker then opens.
  const api = underCallgrind('api', ['serve', '--no-worker'], environment, directory);
  const nodes = [api];
  try {
    const baseURL = `http://127.0.0.1:${port}/v1`;
    await waitUntilUp(port, 'the API node', api.log);
    const worker = underCallgrind('worker', ['worker'], environment, directory);
    nodes.push(worker);
    const client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0, timeout: 600_000 });
    const assistant = await client.beta.assistants.create({ model: 'bench-model' });
    // The first runs wait for the worker to start.
    const warmFailed = await driveRuns(client, assistant.id, warmup, concurrency);
    const control = (option: string) =>
      controlCallgrind(
        option,
        nodes.map((node) => node.child.pid!),
        environment.HOST,
      );
    control('--instr=on');
    const failed = await driveRuns(client, assistant.id, runs, concurrency);
    control('--instr=off');
    control('--dump');
    const counts = await Promise.all(
      nodes.map(async (node) => {
        const totals = await dumpTotals(directory, `${node.role}.callgrind.out`);
        return [node.role, [...totals.values()].reduce((sum, total) => sum + total, 0)];
      }),
    );
    console.log(
      `${root}: ${runs} runs (${failed} failed; warm-up ${warmup}, ${warmFailed} failed), ` +
        `${concurrency} at a time, M instructions per run (all threads): ` +
        counts
          .map(([role, count]) => `${role} ${(Number(count) / runs / 1e6).toFixed(2)}`)
          .join(', '),
    );
  } finally {
    for (const node of nodes) node.child.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.exited));
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
    await upstream.stop();
    if (!process.env['KEEP']) rmSync(directory, { recursive: true, force: true });
    else console.log(directory);
  }
}

await main();

/**
 * Scale-out: runs per second and time to first token with 1, 2 and 4 worker processes on PostgreSQL
 * (one API node with no worker, `concierge worker` processes beside it), next to the embedded default
 * (one `concierge serve` process on SQLite) measured in the same run, against one fixed-latency
 * upstream (20 ms to the first token, 20 tokens 10 ms apart: ~210 ms of model time per run).
 * Each scenario streams `runs` createAndRun calls through the official SDK, `concurrency` at a time.
 * First, fairness: `burst` runs started at once on one SQLite process, with the time to first token and
 * the gap between tokens beyond the upstream's own 10 ms (admission must not starve running streams);
 * the burst comes twice, on the fresh process and again after the SQLite scenario's runs (warm).
 * Run: node --import tsx bench/scale/scale-bench.ts [runs=400] [concurrency=64] [workers=1,2,4] [burst=200]
 * (`workers` may be `0` to skip the PostgreSQL scenarios; BENCH_SCALE_SQLITE=off skips the SQLite
 * process, and the fairness part with it, when only PostgreSQL's figures are wanted).
 * Needs PostgreSQL at CONCIERGE_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import {
  startServerProcess,
  startWorkerProcess,
  type ServerProcess,
} from '../../test/helpers/server-process.ts';
import { startChildServer } from '../lib/child-server.ts';
import { machineDescription } from '../lib/machine.ts';
import {
  cpuMilliseconds,
  cpuSplitMilliseconds,
  ioSystemCalls,
  threadCpuMilliseconds,
} from '../lib/process-cpu.ts';
import { median, milliseconds, percentile } from '../lib/stats.ts';

const totalRuns = Number(process.argv[2] ?? 400);
const concurrency = Number(process.argv[3] ?? 64);
const workerCounts = (process.argv[4] ?? '1,2,4')
  .split(',')
  .map(Number)
  .filter((count) => count > 0);
/** Runs started at once on one process (SQLite) for the fairness figures; 0 skips it. */
const burstRuns = Number(process.argv[5] ?? 200);
const TOKEN_INTERVAL_MS = 10;
// BENCH_WORKER_NODE_OPTIONS adds flags to the worker processes (e.g. --cpu-prof to profile them).
const workerNodeArguments = (process.env['BENCH_WORKER_NODE_OPTIONS'] ?? '')
  .split(' ')
  .filter(Boolean);
// BENCH_API_NODE_OPTIONS does the same for the API node.
const apiNodeArguments = (process.env['BENCH_API_NODE_OPTIONS'] ?? '').split(' ').filter(Boolean);
// BENCH_SERVE_NODE_OPTIONS does the same for the single SQLite `serve` process.
const serveNodeArguments = (process.env['BENCH_SERVE_NODE_OPTIONS'] ?? '')
  .split(' ')
  .filter(Boolean);
/** BENCH_SCALE_SQLITE=off runs the PostgreSQL scenarios alone (their ratios are then to the first). */
const withSqlite = process.env['BENCH_SCALE_SQLITE'] !== 'off';
const postgresUrl =
  process.env['CONCIERGE_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Result {
  name: string;
  /** CPU seconds per process during the measured part, by role. */
  cpu?: string;
  runsPerSecond: number;
  ttftP50: number;
  ttftP99: number;
  failed: number;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  return cpuMilliseconds(pid) / 1000;
}

async function drive(
  baseURL: string,
  name: string,
  processes: Array<{ role: string; pid: number }> = [],
): Promise<Result> {
  const client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0 });
  const assistant = await client.beta.assistants.create({ model: 'bench-model' });
  const oneRun = async (): Promise<number | undefined> => {
    const started = performance.now();
    let firstToken: number | undefined;
    const stream = client.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Go.' }] },
    });
    stream.on('textDelta', () => (firstToken ??= performance.now() - started));
    const run = await stream.finalRun();
    return run.status === 'completed' ? firstToken : undefined;
  };
  // Warm-up: JIT, pools, prepared paths.
  await Promise.all(Array.from({ length: Math.min(concurrency, 32) }, oneRun));
  const ttft: number[] = [];
  let failed = 0;
  let next = 0;
  const cpuBefore = processes.map((process) => cpuSeconds(process.pid));
  const callsBefore = processes.map((process) => ioSystemCalls(process.pid));
  const systemBefore = processes.map((process) => cpuSplitMilliseconds(process.pid).system);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < totalRuns) {
        next += 1;
        const first = await oneRun().catch(() => undefined);
        if (first === undefined) failed += 1;
        else ttft.push(first);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = processes
    .map((process, index) => {
      const used = cpuSeconds(process.pid) - cpuBefore[index]!;
      const calls = ioSystemCalls(process.pid);
      const reads = (calls.reads - callsBefore[index]!.reads) / totalRuns;
      const writes = (calls.writes - callsBefore[index]!.writes) / totalRuns;
      const system = cpuSplitMilliseconds(process.pid).system - systemBefore[index]!;
      return (
        `${process.role} ${used.toFixed(1)}s (${((used * 1000) / totalRuns).toFixed(2)} ms per run, ` +
        `${(system / totalRuns).toFixed(2)} of it in the kernel; ` +
        `${writes.toFixed(1)} write and ${reads.toFixed(1)} read system calls per run)`
      );
    })
    .join(', ');
  return {
    name,
    cpu: `${cpu} over ${seconds.toFixed(1)}s`,
    runsPerSecond: (totalRuns - failed) / seconds,
    ttftP50: median(ttft),
    ttftP99: percentile(ttft, 0.99),
    failed,
  };
}

/**
 * `count` streamed runs started at once: TTFT p50/p99, p99 added inter-token gap, server CPU per run
 * (its main thread, and its other threads: V8's optimizing compiler, the garbage collector's helpers).
 * `when` says what the process did before (a burst on a fresh process runs much of its code before V8
 * has optimized it: bench/README.md, `burstcpu`).
 */
async function burst(baseURL: string, pid: number, count: number, when: string): Promise<string> {
  const client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0 });
  const assistant = await client.beta.assistants.create({ model: 'bench-model' });
  const oneRun = async () => {
    const started = performance.now();
    const arrivals: number[] = [];
    const stream = client.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Go.' }] },
    });
    stream.on('textDelta', () => arrivals.push(performance.now()));
    const run = await stream.finalRun();
    if (run.status !== 'completed') throw new Error(`run ended ${run.status}`);
    return {
      firstToken: arrivals[0]! - started,
      gaps: arrivals.slice(1).map((arrival, index) => arrival - arrivals[index]!),
    };
  };
  await Promise.all(Array.from({ length: 16 }, oneRun)); // warm-up
  // One kept-alive connection per run, opened before the clock starts: the figure is the server's
  // time, not this process opening `count` sockets on the same two cores (bench/README.md, `burst`).
  await Promise.all(
    Array.from({ length: count }, () => client.beta.assistants.retrieve(assistant.id)),
  );
  const cpuBefore = threadCpuMilliseconds(pid);
  const results = await Promise.allSettled(Array.from({ length: count }, oneRun));
  const cpuAfter = threadCpuMilliseconds(pid);
  const mainCpu = (cpuAfter.main - cpuBefore.main) / count;
  const otherCpu = (cpuAfter.other - cpuBefore.other) / count;
  const ok = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const ttft = ok.map((entry) => entry.firstToken);
  const gaps = ok.flatMap((entry) => entry.gaps);
  return (
    `${count} runs started at once (SQLite, one process, ${when}): ${ok.length} completed, ${count - ok.length} failed\n` +
    `  time to first token p50 ${milliseconds(median(ttft))}, p99 ${milliseconds(percentile(ttft, 0.99))}\n` +
    `  inter-token gap p50 ${milliseconds(median(gaps))}, p99 ${milliseconds(percentile(gaps, 0.99))} → p99 added over the upstream's ${TOKEN_INTERVAL_MS} ms: ${milliseconds(percentile(gaps, 0.99) - TOKEN_INTERVAL_MS)}\n` +
    `  server CPU per run ${milliseconds(mainCpu + otherCpu)} (main thread ${milliseconds(mainCpu)}, other threads ${milliseconds(otherCpu)})`
  );
}

async function stopAll(processes: ServerProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (process) => {
      process.child.kill('SIGTERM');
      await process.exited;
    }),
  );
}

async function main(): Promise<void> {
  console.log(
    `bench/scale: ${totalRuns} streaming runs, ${concurrency} at a time; ${machineDescription()}`,
  );
  const upstream = await startChildServer(
    join(import.meta.dirname, '../lib/fixed-latency-upstream.ts'),
    { FIRST_TOKEN_MS: '20', TOKEN_INTERVAL_MS: '10', TOKENS: '20' },
  );
  const directory = mkdtempSync(join(tmpdir(), 'concierge-scale-bench-'));
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  const results: Result[] = [];
  let fairness = '';
  const common = {
    CONCIERGE_PROVIDER_BASE_URL: upstream.url,
    CONCIERGE_CODE_SANDBOX: 'off',
    CONCIERGE_PLAYGROUND: 'off',
  };
  try {
    if (withSqlite) {
      const sqlite = await startServerProcess(
        {
          ...common,
          CONCIERGE_DATABASE_URL: `sqlite:${join(directory, 'bench.db')}`,
          CONCIERGE_DATA_DIR: join(directory, 'sqlite'),
        },
        ['serve'],
        serveNodeArguments,
      );
      try {
        if (burstRuns > 0)
          fairness = await burst(sqlite.baseURL, sqlite.child.pid!, burstRuns, 'after 16 runs');
        results.push(
          await drive(sqlite.baseURL, 'SQLite, one process (serve)', [
            { role: 'serve', pid: sqlite.child.pid! },
          ]),
        );
        // The same burst again on the same process, its code optimized by the runs above (the
        // bursts' 16 runs of warm-up each, the first burst, the scenario's warm-up and its runs).
        if (burstRuns > 0) {
          const before = 16 + burstRuns + Math.min(concurrency, 32) + totalRuns + 16;
          const warm = await burst(
            sqlite.baseURL,
            sqlite.child.pid!,
            burstRuns,
            `after ${before} runs`,
          );
          fairness += `\n${warm}`;
        }
      } finally {
        await stopAll([sqlite]);
      }
    }
    for (const count of workerCounts) {
      const schema = `bench_scale_${count}_${Date.now()}`;
      const url = new URL(postgresUrl);
      url.searchParams.set('schema', schema);
      const environment = {
        ...common,
        CONCIERGE_DATABASE_URL: url.toString(),
        CONCIERGE_DATA_DIR: join(directory, schema),
      };
      const api = await startServerProcess(environment, ['serve', '--no-worker'], apiNodeArguments);
      const workers = await Promise.all(
        Array.from({ length: count }, () =>
          startWorkerProcess({ ...environment, CONCIERGE_LOG_LEVEL: 'info' }, workerNodeArguments),
        ),
      );
      try {
        const roles = [
          { role: 'api', pid: api.child.pid! },
          ...workers.map((worker, index) => ({
            role: `worker${index + 1}`,
            pid: worker.child.pid!,
          })),
        ];
        results.push(
          await drive(
            api.baseURL,
            `PostgreSQL, 1 API node + ${count} worker${count > 1 ? 's' : ''}`,
            roles,
          ),
        );
      } finally {
        await stopAll([api, ...workers]);
        await admin.query(`drop schema if exists "${schema}" cascade`);
      }
    }
  } finally {
    await admin.end();
    await upstream.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  if (fairness) console.log(`\n${fairness}`);
  const baseline = results[0]!;
  console.log(
    '\nscenario                                   runs/s   ratio   TTFT p50    TTFT p99   failed',
  );
  for (const result of results) {
    console.log(
      `${result.name.padEnd(42)} ${result.runsPerSecond.toFixed(1).padStart(6)}   ${(result.runsPerSecond / baseline.runsPerSecond).toFixed(2).padStart(5)}   ${milliseconds(result.ttftP50).padStart(9)}  ${milliseconds(result.ttftP99).padStart(10)}   ${result.failed}`,
    );
  }
  console.log('\nCPU used during the measured part:');
  for (const result of results) console.log(`  ${result.name}: ${result.cpu}`);
  console.log(
    '\nratio = runs/s over the SQLite single-process figure of this run. The upstream spends ~210 ms per run.',
  );
}

await main();

/**
 * Start-up time and idle memory: from spawning the command `npm start` runs (`node bin/concierge.mjs
 * serve`, npm's own launch left out) until `GET /health` answers 200, the CPU time the process used to
 * get there (steadier than wall time on a shared machine), and the resident memory once the server has
 * sat idle for a second. The baseline is a bare Fastify server answering /health, spawned
 * the same way. The two are measured in alternating rounds on SQLite and medians are compared, so a
 * noisy neighbour hits both alike. The first Concierge start (it creates and migrates the database)
 * is a warm-up and is reported apart.
 * Run: node --import tsx bench/startup/startup-bench.ts [rounds=5] [root=this checkout]
 * `root` points at another checkout (its node_modules in place) to measure it on the same machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../test/helpers/server-process.ts';
import { machineDescription } from '../lib/machine.ts';
import { cpuMilliseconds } from '../lib/process-cpu.ts';
import { median, milliseconds } from '../lib/stats.ts';

const rounds = Number(process.argv[2] ?? 5);
const root = resolve(process.argv[3] ?? join(import.meta.dirname, '../..'));
const IDLE_MS = 1000;

const BARE_FASTIFY = `
const app = require('fastify')({ logger: false });
app.get('/health', async () => ({ status: 'ok' }));
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));`;

interface Start {
  /** Spawn until /health answered 200. */
  readyMs: number;
  /** User + system CPU time of the process until then. */
  cpuMs: number;
  /** Resident set size after IDLE_MS of idling, in MiB. */
  residentMiB: number;
}

const sleep = (duration: number) => new Promise((done) => setTimeout(done, duration));

function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function timeStart(args: string[], environment: Record<string, string>): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...environment },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited:\n${errors}`);
      const answer = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (answer?.ok) break;
      await sleep(5);
    }
    const readyMs = performance.now() - started;
    const cpuMs = cpuMilliseconds(child.pid!);
    await sleep(IDLE_MS);
    return { readyMs, cpuMs, residentMiB: residentMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(`checkout: ${root}`);
  console.log(`${rounds} alternating rounds; memory read after ${IDLE_MS} ms idle\n`);
  const directory = mkdtempSync(join(tmpdir(), 'concierge-startup-'));
  const concierge = () =>
    timeStart([join(root, 'bin/concierge.mjs'), 'serve'], {
      CONCIERGE_DATABASE_URL: `sqlite:${join(directory, 'startup.db')}`,
      CONCIERGE_DATA_DIR: directory,
      CONCIERGE_LOG_LEVEL: 'warn',
    });
  try {
    const first = await concierge();
    const bare: Start[] = [];
    const ours: Start[] = [];
    for (let round = 0; round < rounds; round++) {
      bare.push(await timeStart(['-e', BARE_FASTIFY], {}));
      ours.push(await concierge());
    }
    const row = (name: string, starts: Start[], baseline: Start[]) => {
      const figure = (sample: Start[], key: keyof Start) =>
        median(sample.map((start) => start[key]));
      const ratio = (key: keyof Start) =>
        `(${(figure(starts, key) / figure(baseline, key)).toFixed(2)}×)`;
      console.log(
        `${name.padEnd(26)} ready ${milliseconds(figure(starts, 'readyMs')).padStart(11)} ${ratio('readyMs')}` +
          `   CPU ${milliseconds(figure(starts, 'cpuMs')).padStart(11)} ${ratio('cpuMs')}` +
          `   idle RSS ${figure(starts, 'residentMiB').toFixed(0).padStart(4)} MiB ${ratio('residentMiB')}`,
      );
    };
    row('bare Fastify (node -e)', bare, bare);
    row('Concierge serve (SQLite)', ours, bare);
    console.log(
      `\nfirst Concierge start (new database, migrations): ready ${milliseconds(first.readyMs)}, CPU ${milliseconds(first.cpuMs)}, idle RSS ${first.residentMiB.toFixed(0)} MiB`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();

/**
 * `npm run bench -- <name> [arguments…]`: runs one benchmark by name, or lists them. Each benchmark
 * prints its figures as ratios against a baseline measured in the same run, with the machine noted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BENCHMARKS: Record<string, { script: string; what: string }> = {
  http: {
    script: 'http/http-bench.ts',
    what: 'API requests per second against bare Fastify and Fastify + raw SQLite',
  },
  latency: {
    script: 'runs/latency-bench.ts',
    what: 'time to first token and per-token delay added to a fixed-latency model, tracing off and on',
  },
  responses: {
    script: 'responses/responses-bench.ts',
    what: 'a response (SSE and WebSocket) against an Assistants run: TTFT added and server CPU',
  },
  pagination: {
    script: 'pagination/pagination-bench.ts',
    what: 'list latency at 1M rows against 1k rows',
  },
  scale: {
    script: 'scale/scale-bench.ts',
    what: 'runs/s and TTFT with 1, 2, 4 workers on PostgreSQL against SQLite in one process',
  },
  'run-instructions': {
    script: 'scale/run-instructions.ts',
    what: 'instructions per streamed run of the SQLite serve process, counted by callgrind',
  },
  'stored-bytes': {
    script: 'storage/stored-bytes-bench.ts',
    what: 'ingesting files with the stored-bytes triggers against the same store without them',
  },
  retrieval: {
    script: 'retrieval/run.ts',
    what: 'file_search recall and latency, hybrid against keyword-only',
  },
  'code-interpreter': {
    script: 'code-interpreter.ts',
    what: 'sandbox cold start and warm cells against plain python',
  },
  chain: { script: 'chain.ts', what: 'compile, deploy, swap and restart on the dev chain' },
  'chain-agents': {
    script: 'chain-agents.ts',
    what: 'smart_contract and swap agents against the layer they call',
  },
  purchasing: {
    script: 'purchasing.ts',
    what: 'ACP checkout and x402 payments against direct merchant calls',
  },
  a2a: { script: 'a2a.ts', what: 'an A2A turn against the same turn through the Assistants API' },
  startup: {
    script: 'startup/startup-bench.ts',
    what: 'npm start until /health answers, and idle memory, against a bare Fastify process',
  },
  gguf: {
    script: 'gguf.ts',
    what: 'a GGUF model in process: TTFT and tokens/s through a run against node-llama-cpp directly',
  },
  playground: {
    script: 'playground/static-bench.ts',
    what: 'serving the playground page against /health',
  },
};

const [name, ...rest] = process.argv.slice(2);
const benchmark = name ? BENCHMARKS[name] : undefined;
if (!benchmark) {
  if (name) console.error(`No benchmark named "${name}".\n`);
  console.log('npm run bench -- <name> [arguments…]\n');
  for (const [key, { what }] of Object.entries(BENCHMARKS))
    console.log(`  ${key.padEnd(18)} ${what}`);
  process.exit(name ? 1 : 0);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, benchmark.script), ...rest],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

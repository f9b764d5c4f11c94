/**
 * What Concierge adds to a model's latency, measured in one run against the same fixed-latency
 * upstream: time to first token and per-token delay through Concierge (a streaming run via the
 * official SDK) versus calling the upstream directly (the baseline); then N concurrent streaming runs
 * on one process, reporting errors and the p99 gap between tokens beyond the upstream's own interval.
 * Two Concierge processes run side by side, tracing off (the default) and tracing on (every span
 * exported over OTLP/HTTP to a receiver in this process), so the cost of tracing is read in one run.
 * Run: node --import tsx bench/runs/latency-bench.ts [sequentialRuns=30] [concurrentRuns=200]
 */
import { createServer } from 'node:http';
import OpenAI from 'openai';
import { startChildServer } from '../lib/child-server.ts';
import { streamDirect } from '../lib/direct-stream.ts';
import { machineDescription } from '../lib/machine.ts';
import { cpuMilliseconds } from '../lib/process-cpu.ts';
import { median, milliseconds, percentile } from '../lib/stats.ts';
import { compareModelAdapters } from './model-adapter-bench.ts';
import { contextFromHeaders, currentTraceContext } from '../../src/telemetry/trace-propagation.ts';
import { contextWithSpan, runInContext, startSpan } from '../../src/telemetry/tracer.ts';

const sequential = Number(process.argv[2] ?? 30);
const concurrent = Number(process.argv[3] ?? 200);
const TOKENS = 50;
const INTERVAL = 10;

interface Timing {
  firstToken: number;
  /** Arrival times of every token after the first, relative to the first. */
  gaps: number[];
  perToken: number;
}

function timing(start: number, arrivals: number[]): Timing {
  const gaps = arrivals.slice(1).map((arrival, index) => arrival - arrivals[index]!);
  return {
    firstToken: arrivals[0]! - start,
    gaps,
    perToken: (arrivals.at(-1)! - arrivals[0]!) / (arrivals.length - 1),
  };
}

async function direct(client: OpenAI): Promise<Timing> {
  const { start, arrivals } = await streamDirect(client);
  return timing(start, arrivals);
}

async function throughConcierge(client: OpenAI, assistantId: string): Promise<Timing> {
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'go' }] });
  const start = performance.now();
  const arrivals: number[] = [];
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
  stream.on('textDelta', () => arrivals.push(performance.now()));
  const run = await stream.finalRun();
  if (run.status !== 'completed')
    throw new Error(`run ended ${run.status}: ${JSON.stringify(run.last_error)}`);
  if (arrivals.length !== TOKENS)
    throw new Error(`expected ${TOKENS} deltas, got ${arrivals.length}`);
  return timing(start, arrivals);
}

/** An OTLP/HTTP receiver that counts the spans it is sent and keeps nothing. */
async function startSpanSink(): Promise<{ url: string; spans: () => number; stop(): void }> {
  let spans = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      spans += body.split('"spanId"').length - 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans: () => spans,
    stop: () => server.close(),
  };
}

function sequentialReport(name: string, baseline: Timing[], timings: Timing[]): void {
  const baseFirst = median(baseline.map((entry) => entry.firstToken));
  const first = median(timings.map((entry) => entry.firstToken));
  const basePerToken = median(baseline.map((entry) => entry.perToken));
  const perToken = median(timings.map((entry) => entry.perToken));
  console.log(
    `  ${name}: time to first token ${milliseconds(first)} → added ${milliseconds(first - baseFirst)} (ratio ${(first / baseFirst).toFixed(2)}; aim: < 5 ms added); per-token ${milliseconds(perToken)} → added ${milliseconds(perToken - basePerToken)} (ratio ${(perToken / basePerToken).toFixed(3)}; aim: < 0.5 ms)`,
  );
}

async function concurrentReport(name: string, client: OpenAI, assistantId: string): Promise<void> {
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: concurrent }, () => throughConcierge(client, assistantId)),
  );
  const elapsed = performance.now() - started;
  const ok = results
    .filter((result): result is PromiseFulfilledResult<Timing> => result.status === 'fulfilled')
    .map((result) => result.value);
  const failures = results.filter((result) => result.status === 'rejected');
  const gaps = ok.flatMap((entry) => entry.gaps);
  const firsts = ok.map((entry) => entry.firstToken);
  console.log(
    `  ${name}: ${ok.length} completed, ${failures.length} errors, ${(elapsed / 1000).toFixed(1)} s; inter-token gap p50 ${milliseconds(median(gaps))}, p99 ${milliseconds(percentile(gaps, 0.99))} (p99 added over the upstream's ${INTERVAL} ms: ${milliseconds(percentile(gaps, 0.99) - INTERVAL)}); first token p50 ${milliseconds(median(firsts))}, p99 ${milliseconds(percentile(firsts, 0.99))}`,
  );
  if (failures.length > 0)
    console.log(`    first error: ${(failures[0] as PromiseRejectedResult).reason}`);
}

/** The calls one run makes into OpenTelemetry's API. */
function noopRunTracing(): void {
  currentTraceContext();
  const parent = contextFromHeaders(undefined);
  const span = startSpan('invoke_agent', { parent, attributes: { 'gen_ai.request.model': 'x' } });
  runInContext(contextWithSpan(span, parent), () => span.isRecording());
  span.end();
}

/**
 * Nanoseconds of the calls a run makes into OpenTelemetry's API with tracing off (this process
 * registers no provider): storing the trace context, and starting, activating and ending its span.
 */
function noopTracingNanoseconds(): number {
  const rounds = 200_000;
  for (let index = 0; index < rounds; index++) noopRunTracing();
  const started = performance.now();
  for (let index = 0; index < rounds; index++) noopRunTracing();
  return ((performance.now() - started) * 1e6) / rounds;
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(
    `upstream: first token after 20 ms, ${TOKENS} tokens ${INTERVAL} ms apart; each Concierge on SQLite in its own process\n`,
  );
  const upstream = await startChildServer('bench/lib/fixed-latency-upstream.ts', {
    TOKENS: String(TOKENS),
    TOKEN_INTERVAL_MS: String(INTERVAL),
  });
  const sink = await startSpanSink();
  const off = await startChildServer('bench/runs/concierge-server.ts', {
    UPSTREAM_URL: upstream.url,
  });
  const on = await startChildServer('bench/runs/concierge-server.ts', {
    UPSTREAM_URL: upstream.url,
    BENCH_OTLP_URL: sink.url,
  });
  try {
    const upstreamClient = new OpenAI({ baseURL: upstream.url, apiKey: 'bench', maxRetries: 0 });
    const offClient = new OpenAI({ baseURL: off.url, apiKey: 'bench', maxRetries: 0 });
    const onClient = new OpenAI({ baseURL: on.url, apiKey: 'bench', maxRetries: 0 });
    const offAssistant = await offClient.beta.assistants.create({ model: 'bench' });
    const onAssistant = await onClient.beta.assistants.create({ model: 'bench' });

    for (let index = 0; index < 3; index++) {
      await direct(upstreamClient);
      await throughConcierge(offClient, offAssistant.id);
      await throughConcierge(onClient, onAssistant.id);
    }
    const directTimings: Timing[] = [];
    const offTimings: Timing[] = [];
    const onTimings: Timing[] = [];
    let offCpu = 0;
    for (let index = 0; index < sequential; index++) {
      directTimings.push(await direct(upstreamClient));
      const cpuBefore = cpuMilliseconds(off.process.pid!);
      offTimings.push(await throughConcierge(offClient, offAssistant.id));
      offCpu += cpuMilliseconds(off.process.pid!) - cpuBefore;
      onTimings.push(await throughConcierge(onClient, onAssistant.id));
    }
    console.log(`sequential streaming runs (${sequential} each, interleaved, medians):`);
    console.log(
      `  direct to the upstream (baseline): time to first token ${milliseconds(median(directTimings.map((entry) => entry.firstToken)))}, per-token ${milliseconds(median(directTimings.map((entry) => entry.perToken)))}`,
    );
    sequentialReport('Concierge, tracing off', directTimings, offTimings);
    sequentialReport('Concierge, tracing on ', directTimings, onTimings);
    console.log(
      `  server CPU time per streamed run, tracing off (user + system, thread creation included): ${milliseconds(offCpu / sequential)}`,
    );
    const cost = (pick: (entry: Timing) => number) =>
      median(onTimings.map(pick)) - median(offTimings.map(pick));
    console.log(
      `  tracing on against off: first token ${milliseconds(cost((entry) => entry.firstToken))}, per-token ${milliseconds(cost((entry) => entry.perToken))}`,
    );
    console.log(
      `  tracing off: a run's calls into the no-op OpenTelemetry API take ${noopTracingNanoseconds().toFixed(0)} ns`,
    );

    console.log(`\n${concurrent} concurrent streaming runs on one process:`);
    await concurrentReport('tracing off', offClient, offAssistant.id);
    await concurrentReport('tracing on ', onClient, onAssistant.id);
    // The spans of the last runs are exported within the batch delay.
    await new Promise((resolve) => setTimeout(resolve, 500));
    console.log(`  spans the tracing-on process exported: ${sink.spans()}`);
    await compareModelAdapters(upstream.url, sequential * 3);
  } finally {
    await off.stop();
    await on.stop();
    await upstream.stop();
    sink.stop();
  }
}

await main();

/**
 * What Concierge adds to a model's latency, measured in one run against the same fixed-latency
 * upstream: time to first token and per-token delay through Concierge (a streaming run via the
 * official SDK) versus calling the upstream directly (the baseline); then N concurrent streaming runs
 * on one process, reporting errors and the p99 gap between tokens beyond the upstream's own interval.
 * Two Concierge processes run side by side, tracing off (the default) and tracing on (every span
 * exported over OTLP/HTTP to a receiver in this process), so the cost of tracing is read in one run.
 * Like is compared with like: the SDK's plain stream of a run (`runs.create({ stream: true })`)
 * against its plain chat stream, and its helper (`runs.stream`) against its chat helper
 * (`chat.completions.stream`); a helper starts its request in a `setTimeout` and accumulates what it
 * parses, client-side work of about 1–2.5 ms that the plain stream does not do.
 * Run: node --import tsx bench/runs/latency-bench.ts [sequentialRuns=30] [concurrentRuns=200]
 */
import { createServer } from 'node:http';
import OpenAI from 'openai';
import { startChildServer } from '../lib/child-server.ts';
import { streamDirect, streamDirectHelper, type TokenArrivals } from '../lib/direct-stream.ts';
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

async function direct(
  client: OpenAI,
  stream: (client: OpenAI) => Promise<TokenArrivals> = streamDirect,
): Promise<Timing> {
  const { start, arrivals } = await stream(client);
  return timing(start, arrivals);
}

/** A run streamed with the SDK's plain stream (no helper), its text deltas timed. */
async function throughConciergePlain(client: OpenAI, assistantId: string): Promise<Timing> {
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'go' }] });
  const start = performance.now();
  const arrivals: number[] = [];
  const stream = await client.beta.threads.runs.create(thread.id, {
    assistant_id: assistantId,
    stream: true,
  });
  let status = '';
  for await (const event of stream) {
    if (event.event === 'thread.message.delta') arrivals.push(performance.now());
    else if (event.event === 'thread.run.completed' || event.event === 'thread.run.failed')
      status = event.data.status;
  }
  if (status !== 'completed') throw new Error(`run ended ${status || 'without a status'}`);
  if (arrivals.length !== TOKENS)
    throw new Error(`expected ${TOKENS} deltas, got ${arrivals.length}`);
  return timing(start, arrivals);
}

/** A run streamed with the SDK's helper (`runs.stream`), its text deltas timed. */
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

/** Medians of one side's sequential runs, each streamed both ways. */
interface Side {
  plain: Timing[];
  helper: Timing[];
}

const firstTokens = (timings: Timing[]) => median(timings.map((entry) => entry.firstToken));

function sequentialReport(name: string, baseline: Side, side: Side): void {
  const added = (timings: Timing[], base: Timing[]) => {
    const first = firstTokens(timings);
    const baseFirst = firstTokens(base);
    return `${milliseconds(first)} → added ${milliseconds(first - baseFirst)} (ratio ${(first / baseFirst).toFixed(2)})`;
  };
  const basePerToken = median(baseline.plain.map((entry) => entry.perToken));
  const perToken = median(side.plain.map((entry) => entry.perToken));
  console.log(
    `  ${name}: time to first token, plain stream ${added(side.plain, baseline.plain)}; helper ${added(side.helper, baseline.helper)}; aim: ≤ 3 ms added. Per-token ${milliseconds(perToken)} → added ${milliseconds(perToken - basePerToken)} (ratio ${(perToken / basePerToken).toFixed(3)}; aim: < 0.5 ms)`,
  );
  console.log(
    `    (the helper against the plain direct stream, as this bench compared before: added ${milliseconds(firstTokens(side.helper) - firstTokens(baseline.plain))})`,
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

    const directSide: Side = { plain: [], helper: [] };
    const offSide: Side = { plain: [], helper: [] };
    const onSide: Side = { plain: [], helper: [] };
    let offCpu = 0;
    // Each round streams every kind once, in an order reversed every other round.
    const kinds: Array<() => Promise<void>> = [
      async () => void directSide.plain.push(await direct(upstreamClient)),
      async () => void directSide.helper.push(await direct(upstreamClient, streamDirectHelper)),
      async () => {
        const cpuBefore = cpuMilliseconds(off.process.pid!);
        offSide.plain.push(await throughConciergePlain(offClient, offAssistant.id));
        offCpu += cpuMilliseconds(off.process.pid!) - cpuBefore;
      },
      async () => void offSide.helper.push(await throughConcierge(offClient, offAssistant.id)),
      async () => void onSide.plain.push(await throughConciergePlain(onClient, onAssistant.id)),
      async () => void onSide.helper.push(await throughConcierge(onClient, onAssistant.id)),
    ];
    const round = async (index: number) => {
      for (const kind of index % 2 === 0 ? kinds : [...kinds].reverse()) await kind();
    };
    for (let index = 0; index < 3; index++) await round(index);
    for (const side of [directSide, offSide, onSide]) {
      side.plain.length = 0;
      side.helper.length = 0;
    }
    offCpu = 0;
    for (let index = 0; index < sequential; index++) await round(index);
    console.log(`sequential streaming runs (${sequential} of each kind, interleaved, medians):`);
    console.log(
      `  direct to the upstream (baseline): time to first token, plain stream (chat.completions.create) ${milliseconds(firstTokens(directSide.plain))}, helper (chat.completions.stream) ${milliseconds(firstTokens(directSide.helper))}; per-token ${milliseconds(median(directSide.plain.map((entry) => entry.perToken)))}`,
    );
    sequentialReport('Concierge, tracing off', directSide, offSide);
    sequentialReport('Concierge, tracing on ', directSide, onSide);
    console.log(
      `  server CPU time per streamed run, tracing off (plain stream; user + system, thread creation included): ${milliseconds(offCpu / sequential)}`,
    );
    const cost = (pick: (entry: Timing) => number) =>
      median(onSide.plain.map(pick)) - median(offSide.plain.map(pick));
    console.log(
      `  tracing on against off (plain stream): first token ${milliseconds(cost((entry) => entry.firstToken))}, per-token ${milliseconds(cost((entry) => entry.perToken))}`,
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

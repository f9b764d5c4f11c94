/**
 * What Concierge adds to a model's latency, measured in one run against the same fixed-latency
 * upstream: time to first token and per-token delay through Concierge (a streaming run via the
 * official SDK) versus calling the upstream directly; then N concurrent streaming runs on one process,
 * reporting errors and the p99 gap between tokens beyond the upstream's own interval.
 * Run: node --import tsx bench/runs/latency-bench.ts [sequentialRuns=30] [concurrentRuns=200]
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { startChildServer } from '../lib/child-server.ts';
import { machineDescription } from '../lib/machine.ts';
import { median, milliseconds, percentile } from '../lib/stats.ts';
import { compareModelAdapters } from './model-adapter-bench.ts';

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

/** User + system CPU time of a process so far (clock ticks of 10 ms). */
function cpuMilliseconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
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
  const start = performance.now();
  const arrivals: number[] = [];
  const stream = await client.chat.completions.create({
    model: 'bench',
    messages: [{ role: 'user', content: 'go' }],
    stream: true,
  });
  for await (const chunk of stream)
    if (chunk.choices[0]?.delta?.content) arrivals.push(performance.now());
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

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(
    `upstream: first token after 20 ms, ${TOKENS} tokens ${INTERVAL} ms apart; Concierge on SQLite in its own process\n`,
  );
  const upstream = await startChildServer('bench/lib/fixed-latency-upstream.ts', {
    TOKENS: String(TOKENS),
    TOKEN_INTERVAL_MS: String(INTERVAL),
  });
  const concierge = await startChildServer('bench/runs/concierge-server.ts', {
    UPSTREAM_URL: upstream.url,
  });
  try {
    const upstreamClient = new OpenAI({ baseURL: upstream.url, apiKey: 'bench', maxRetries: 0 });
    const client = new OpenAI({ baseURL: concierge.url, apiKey: 'bench', maxRetries: 0 });
    const assistant = await client.beta.assistants.create({ model: 'bench' });

    for (let index = 0; index < 3; index++) {
      await direct(upstreamClient);
      await throughConcierge(client, assistant.id);
    }
    const directTimings: Timing[] = [];
    const conciergeTimings: Timing[] = [];
    const cpuBefore = cpuMilliseconds(concierge.process.pid!);
    for (let index = 0; index < sequential; index++) {
      directTimings.push(await direct(upstreamClient));
      conciergeTimings.push(await throughConcierge(client, assistant.id));
    }
    const cpuPerRun = (cpuMilliseconds(concierge.process.pid!) - cpuBefore) / sequential;
    const directFirst = median(directTimings.map((entry) => entry.firstToken));
    const conciergeFirst = median(conciergeTimings.map((entry) => entry.firstToken));
    const directPerToken = median(directTimings.map((entry) => entry.perToken));
    const conciergePerToken = median(conciergeTimings.map((entry) => entry.perToken));
    console.log(`sequential streaming runs (${sequential}, medians):`);
    console.log(
      `  time to first token: direct ${milliseconds(directFirst)}, through Concierge ${milliseconds(conciergeFirst)} → added ${milliseconds(conciergeFirst - directFirst)} (ratio ${(conciergeFirst / directFirst).toFixed(2)}; aim: < 5 ms added)`,
    );
    console.log(
      `  server CPU time per streamed run (user + system, thread creation included): ${milliseconds(cpuPerRun)}`,
    );
    console.log(
      `  per-token delay: direct ${milliseconds(directPerToken)}, through Concierge ${milliseconds(conciergePerToken)} → added ${milliseconds(conciergePerToken - directPerToken)} per token (ratio ${(conciergePerToken / directPerToken).toFixed(3)}; aim: < 0.5 ms)`,
    );

    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: concurrent }, () => throughConcierge(client, assistant.id)),
    );
    const elapsed = performance.now() - started;
    const ok = results
      .filter((result): result is PromiseFulfilledResult<Timing> => result.status === 'fulfilled')
      .map((result) => result.value);
    const failures = results.filter((result) => result.status === 'rejected');
    const gaps = ok.flatMap((entry) => entry.gaps);
    console.log(
      `\n${concurrent} concurrent streaming runs on one process: ${ok.length} completed, ${failures.length} errors, ${(elapsed / 1000).toFixed(1)} s`,
    );
    if (failures.length > 0)
      console.log(`  first error: ${(failures[0] as PromiseRejectedResult).reason}`);
    console.log(
      `  inter-token gap: p50 ${milliseconds(median(gaps))}, p99 ${milliseconds(percentile(gaps, 0.99))} → p99 added over the upstream's ${INTERVAL} ms: ${milliseconds(percentile(gaps, 0.99) - INTERVAL)}`,
    );
    console.log(
      `  time to first token under load: p50 ${milliseconds(median(ok.map((entry) => entry.firstToken)))}, p99 ${milliseconds(
        percentile(
          ok.map((entry) => entry.firstToken),
          0.99,
        ),
      )}`,
    );
    await compareModelAdapters(upstream.url, sequential * 3);
  } finally {
    await concierge.stop();
    await upstream.stop();
  }
}

await main();

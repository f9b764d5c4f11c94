/**
 * A GGUF model in process (the llama-cpp provider): time to first token and tokens per second of a
 * streamed run through Concierge (official SDK, in this process), against the same model driven with
 * node-llama-cpp directly (LlamaChat, same thread count and context) in the same run. Also the cost
 * of the first call: importing node-llama-cpp, starting llama.cpp and loading the file.
 * Run: npm run bench -- gguf [runs=10] [tokens=64] [threads=1] [model.gguf]
 * Without a file it uses the test suite's tiny synthetic model (2 layers, 64 dimensions).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createApp } from '../src/app.ts';
import { ConfigSchema } from '../src/config/config-schema.ts';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.ts';
import { tinyGgufPath } from '../test/helpers/tiny-gguf.ts';
import { machineDescription } from './lib/machine.ts';
import { median, milliseconds } from './lib/stats.ts';

const runs = Number(process.argv[2] ?? 10);
const tokens = Number(process.argv[3] ?? 64);
const threads = Number(process.argv[4] ?? 1);
const modelPath = process.argv[5] ?? tinyGgufPath();
const CONTEXT = 2048;
const PROMPT = 'Write a short story about a lighthouse keeper.';

interface Sample {
  firstToken: number;
  tokensPerSecond: number;
}

function summary(label: string, samples: Sample[]): string {
  return `${label.padEnd(28)} TTFT ${milliseconds(median(samples.map((s) => s.firstToken))).padStart(11)}   ${median(
    samples.map((s) => s.tokensPerSecond),
  )
    .toFixed(1)
    .padStart(7)} tokens/s`;
}

async function direct(): Promise<{ samples: Sample[]; startMs: number; loadMs: number }> {
  const started = performance.now();
  const { getLlama, LlamaChat, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
    maxThreads: threads,
  });
  const startMs = performance.now() - started;
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: CONTEXT, threads, sequences: 1 });
  const loadMs = performance.now() - started - startMs;
  const sequence = context.getSequence();
  const samples: Sample[] = [];
  for (let index = 0; index < runs; index++) {
    sequence.clearHistory();
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    const start = performance.now();
    let first = 0;
    let count = 0;
    await chat.generateResponse([{ type: 'user', text: `${PROMPT} (${index})` }], {
      maxTokens: tokens,
      temperature: 1,
      onToken: (generated) => {
        count += generated.length;
        first ||= performance.now();
      },
    });
    const end = performance.now();
    chat.dispose({ disposeSequence: false });
    samples.push({
      firstToken: first - start,
      tokensPerSecond: ((count - 1) * 1000) / (end - first),
    });
  }
  await llama.dispose();
  return { samples, startMs, loadMs };
}

async function throughConcierge(): Promise<{ samples: Sample[]; firstCall: Sample }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'concierge-bench-gguf-'));
  const config = ConfigSchema.parse({
    port: 0,
    logLevel: 'silent',
    dataDir,
    embeddingModel: 'none',
    providers: {
      local: { type: 'llama-cpp', gguf: { bench: modelPath }, threads, contextSize: CONTEXT },
    },
  });
  const app = await createApp(config, { store: createSqliteStore(':memory:'), logger: false });
  const client = new OpenAI({ baseURL: await app.listen(), apiKey: 'x', maxRetries: 0 });
  const assistant = await client.beta.assistants.create({ model: 'local/bench' });
  const one = async (index: number): Promise<Sample> => {
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: `${PROMPT} (${index})` }],
    });
    const start = performance.now();
    let first = 0;
    const stream = client.beta.threads.runs.stream(thread.id, {
      assistant_id: assistant.id,
      max_completion_tokens: tokens,
    });
    let last = 0;
    stream.on('textDelta', () => {
      last = performance.now();
      first ||= last;
    });
    const run = await stream.finalRun();
    const generated = run.usage?.completion_tokens ?? 0;
    if (run.status === 'failed') throw new Error(`run failed: ${JSON.stringify(run.last_error)}`);
    // The stream's rate, first delta to last; the run's ending (message, step, run) comes after.
    return {
      firstToken: first - start,
      tokensPerSecond: ((generated - 1) * 1000) / (last - first),
    };
  };
  try {
    const firstCall = await one(-1);
    const samples: Sample[] = [];
    for (let index = 0; index < runs; index++) samples.push(await one(index));
    return { samples, firstCall };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`machine: ${machineDescription()}`);
console.log(`model: ${modelPath}`);
console.log(`${runs} runs of ${tokens} tokens, ${threads} thread(s), context ${CONTEXT}\n`);
const baseline = await direct();
console.log(
  `node-llama-cpp import + llama.cpp start: ${milliseconds(baseline.startMs)}; load + context: ${milliseconds(baseline.loadMs)}`,
);
console.log(summary('node-llama-cpp directly', baseline.samples));
const concierge = await throughConcierge();
console.log(summary('Concierge run, first call', [concierge.firstCall]));
console.log(summary('Concierge run (SDK stream)', concierge.samples));
const ratio =
  median(concierge.samples.map((s) => s.tokensPerSecond)) /
  median(baseline.samples.map((s) => s.tokensPerSecond));
console.log(`\nthroughput through Concierge: ${(ratio * 100).toFixed(0)}% of direct`);
console.log(`machine after: ${machineDescription()}`);

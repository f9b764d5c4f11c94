/**
 * The model call alone, in this process: the lean OpenAI-compatible adapter against the AI SDK's,
 * calling the same fixed-latency upstream in alternation. Reports the median time from `stream()` to
 * the first text part beyond the upstream's own delay, and the CPU time this process spends per call
 * (steadier than wall time on a loaded machine). `latency` runs it after its end-to-end figures.
 */
import { AiSdkLanguageModel } from '../../src/models/ai-sdk/ai-sdk-language-model.ts';
import { createProviderModel } from '../../src/models/ai-sdk/providers.ts';
import type { LanguageModel, ModelRequest } from '../../src/models/language-model.ts';
import { OpenAIChatLanguageModel } from '../../src/models/openai-compatible/openai-chat-language-model.ts';
import { median, milliseconds } from '../lib/stats.ts';

const REQUEST: ModelRequest = {
  model: 'bench',
  system: 'You are terse.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'go' }] }],
  tools: [],
  toolChoice: 'auto',
  parallelToolCalls: true,
};

interface Sample {
  firstPart: number;
  cpu: number;
}

async function call(model: LanguageModel): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let firstPart = 0;
  for await (const part of model.stream(REQUEST, new AbortController().signal))
    if (part.type === 'text-delta' && firstPart === 0) firstPart = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { firstPart, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Runs both adapters `rounds` times in alternation; prints and returns the medians. */
export async function compareModelAdapters(upstreamUrl: string, rounds: number) {
  const created = createProviderModel({ type: 'openai-compatible', baseURL: upstreamUrl }, 'bench');
  const adapters: Record<string, LanguageModel> = {
    'AI SDK': new AiSdkLanguageModel(created.model, created.optionsName),
    lean: new OpenAIChatLanguageModel({ baseURL: upstreamUrl, modelId: 'bench' }),
  };
  const samples: Record<string, Sample[]> = { 'AI SDK': [], lean: [] };
  for (let round = 0; round < rounds + 10; round++)
    for (const [name, model] of Object.entries(adapters)) {
      const sample = await call(model);
      if (round >= 10) samples[name]!.push(sample);
    }
  const first = (name: string) => median(samples[name]!.map((sample) => sample.firstPart));
  const cpu = (name: string) => median(samples[name]!.map((sample) => sample.cpu));
  console.log(`\nthe model call alone, ${rounds} calls each in alternation (medians):`);
  for (const name of Object.keys(adapters))
    console.log(
      `  ${name.padEnd(7)} first text part ${milliseconds(first(name))}, CPU per call (50 tokens) ${milliseconds(cpu(name))}`,
    );
  console.log(
    `  lean − AI SDK: first part ${milliseconds(first('lean') - first('AI SDK'))}, CPU ${milliseconds(cpu('lean') - cpu('AI SDK'))}`,
  );
}

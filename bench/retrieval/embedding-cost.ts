/**
 * `node --import tsx bench/retrieval/embedding-cost.ts [--chunks 100] [--rounds 2] [--threads 1]`
 *
 * Ingestion cost of the built-in embedder: the chunks of ≤100 tokens of the latency corpus, cut as
 * file search cuts them (128-token windows only; windows and sentences), embedded uncached, timed per
 * cut and round. Also run by `paraphrase.ts`. Self-contained, so it can be copied into a checkout of
 * an earlier commit and run there for a same-session before/after.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLocalEmbeddingModel } from '../../src/models/use-lite/local-embedding-model.ts';
import { chunkText } from '../../src/tools/file-search/chunk-text.ts';
import { buildScaleCorpus } from './corpus.ts';

export interface CostModel {
  id: string;
  embed(texts: string[]): Promise<Float32Array[]>;
  windows(text: string): string[];
  tokenWindows(text: string): string[];
}

/** Embeds the sample chunks' windows once per cut and round, printing vectors and seconds. */
export async function measureEmbeddingCost(
  model: CostModel,
  { chunks = 100, rounds = 1 }: { chunks?: number; rounds?: number } = {},
): Promise<void> {
  const cut = await chunkText(
    buildScaleCorpus(1, 3000)[0]!.text,
    { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } },
    5_000_000,
  );
  const sample = cut.slice(0, chunks);
  console.log(
    `\n## ingestion cost: ${sample.length} chunks of ≤100 tokens embedded by ${model.id}`,
  );
  // The model keeps no cache: every round embeds the same texts again.
  for (let round = 1; round <= rounds; round++)
    for (const [label, windows] of [
      ['128-token windows', (text: string) => model.tokenWindows(text)],
      ['windows and sentences', (text: string) => model.windows(text)],
    ] as const) {
      const texts = sample.flatMap(windows);
      const started = performance.now();
      await model.embed(texts);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `round ${round}: ${label}: ${texts.length} vectors (${(texts.length / sample.length).toFixed(2)} per chunk) in ${seconds.toFixed(1)} s`,
      );
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      chunks: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '2' },
      threads: { type: 'string', default: '1' },
    },
  });
  const model = createLocalEmbeddingModel({ threads: Number(values.threads) });
  try {
    await model.embed(['warm up: load the model before timing']);
    await measureEmbeddingCost(model, {
      chunks: Number(values.chunks),
      rounds: Number(values.rounds),
    });
  } finally {
    await model.close();
  }
}

/**
 * `node --import tsx bench/retrieval/run.ts [--chunks 100000] [--products 400] [--queries 50] [--no-postgres]`
 *
 * 1. Quality: recall@5 and MRR of keyword-only vs hybrid retrieval on a generated QA corpus with
 *    distractors. "Hybrid" uses the TEST embedding model (feature-hashed character trigrams, served
 *    over HTTP by test/helpers/embedding-server.ts): it models spelling, not meaning, so these numbers
 *    say how fusion behaves, not how a real embedding model would score.
 * 2. Scale: indexing throughput (MB/s of source text through parse, chunk, embed, write) and query
 *    latency p50/p99 at `--chunks` chunks, on SQLite and on Postgres.
 * Ratios are against baselines measured in the same run: keyword-only for quality and latency,
 * SQLite for Postgres.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startTestEmbeddingServer } from '../../test/helpers/embedding-server.ts';
import { postgresAvailable } from '../../test/helpers/postgres.ts';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { chunkText } from '../../src/tools/file-search/chunk-text.ts';
import { buildQaCorpus, buildScaleCorpus } from './corpus.ts';
import { buildIndex } from './harness.ts';
import { latency, quality } from './measure.ts';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    products: { type: 'string', default: '400' },
    queries: { type: 'string', default: '50' },
    'no-postgres': { type: 'boolean' },
  },
});
const chunks = Number(values.chunks);
const queryCount = Number(values.queries);
const databases = (['sqlite', 'postgres'] as const).filter(
  (database) => database === 'sqlite' || (postgresAvailable && !values['no-postgres']),
);
const fixed = (value: number, digits = 3) => value.toFixed(digits);

console.log(`# bench/retrieval — ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log(
  'embedding model: concierge-test-trigram-256 (TEST MODEL: hashed character trigrams, not semantic)\n',
);

const embeddings = await startTestEmbeddingServer();
try {
  const { documents, questions } = buildQaCorpus(Number(values.products));
  console.log(
    `## quality: ${documents.length} documents (${questions.length} answers + ${documents.length - questions.length} distractors), ${questions.length} questions`,
  );
  for (const database of databases) {
    const index = await buildIndex(
      database,
      documents,
      { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
      embeddings.baseURL,
    );
    const keyword = await quality(index, index.keywordSearch, questions);
    const hybrid = await quality(index, index.hybridSearch, questions);
    console.log(
      `${database}: keyword-only recall@5 ${fixed(keyword.recallAt5)} MRR ${fixed(keyword.mrr)} | hybrid recall@5 ${fixed(hybrid.recallAt5)} MRR ${fixed(hybrid.mrr)} | ratio hybrid/keyword recall@5 ${fixed(hybrid.recallAt5 / keyword.recallAt5, 2)}× MRR ${fixed(hybrid.mrr / keyword.mrr, 2)}×`,
    );
    for (const style of Object.keys(keyword.byStyle)) {
      console.log(
        `  ${style.padEnd(10)} recall@5 keyword ${fixed(keyword.byStyle[style]!.recallAt5)} → hybrid ${fixed(hybrid.byStyle[style]!.recallAt5)} (${keyword.byStyle[style]!.count} questions)`,
      );
    }
    await index.close();
  }

  // Documents of 100 chunks each with static 100/0 chunking; words per document calibrated on a sample.
  const perDocument = 100;
  const sample = buildScaleCorpus(1, 1000)[0]!.text;
  const wordsPerDocument = Math.floor((perDocument * 100 * 1000) / encode(sample).length);
  const scale = buildScaleCorpus(Math.ceil(chunks / perDocument), wordsPerDocument);
  const strategy = {
    type: 'static' as const,
    static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 },
  };
  let chunkTotal = 0;
  for (const document of scale)
    chunkTotal += (await chunkText(document.text, strategy, 5_000_000)).length;
  const queries = buildQaCorpus(queryCount, 3).questions.map((question) => question.query);
  console.log(
    `\n## scale: ${scale.length} documents → ${chunkTotal} chunks of ≤100 tokens; ${queries.length} queries each (Postgres plain-SQL hybrid: ${Math.min(10, queries.length)})`,
  );
  const results: Record<
    string,
    {
      mbPerSecond: number;
      keyword: { p50: number; p99: number };
      hybrid: { p50: number; p99: number };
    }
  > = {};
  for (const database of databases) {
    const index = await buildIndex(database, scale, strategy, embeddings.baseURL);
    const backend = await index.store.chunks.vectorBackend();
    const keyword = await latency(index, index.keywordSearch, queries);
    // The plain-SQL vector scan takes seconds per query at 100k chunks: fewer queries keep the run bounded.
    const hybrid = await latency(
      index,
      index.hybridSearch,
      backend === 'plain-sql' ? queries.slice(0, 10) : queries,
    );
    results[database] = { mbPerSecond: index.megabytes / index.indexSeconds, keyword, hybrid };
    console.log(
      `${database} (vectors: ${backend}): indexed ${fixed(index.megabytes, 1)} MB in ${fixed(index.indexSeconds, 1)} s = ${fixed(index.megabytes / index.indexSeconds, 2)} MB/s | ` +
        `keyword p50 ${fixed(keyword.p50, 1)} ms p99 ${fixed(keyword.p99, 1)} ms | hybrid p50 ${fixed(hybrid.p50, 1)} ms p99 ${fixed(hybrid.p99, 1)} ms (hybrid/keyword p50 ${fixed(hybrid.p50 / keyword.p50, 1)}×)`,
    );
    await index.close();
  }
  if (results['sqlite'] && results['postgres']) {
    const [sqlite, postgres] = [results['sqlite'], results['postgres']];
    console.log(
      `postgres/sqlite: indexing ${fixed(postgres.mbPerSecond / sqlite.mbPerSecond, 2)}× | keyword p50 ${fixed(postgres.keyword.p50 / sqlite.keyword.p50, 1)}× | hybrid p50 ${fixed(postgres.hybrid.p50 / sqlite.hybrid.p50, 1)}×`,
    );
  }
} finally {
  await embeddings.close();
}

/**
 * `node --import tsx bench/retrieval/paraphrase.ts [--chunks 10000] [--no-postgres] [--vector-cache FILE] [--skip-latency] [--threads 1] [--remote-url URL --remote-model NAME]`
 *
 * Semantic retrieval with the built-in embedder (`local:use-lite`), on the hand-written paraphrase set
 * (`paraphrase-set.ts`): recall@5 and MRR over files for keyword-only and hybrid (and a remote
 * OpenAI-compatible embedder when given), on SQLite and Postgres; then query latency p50 at
 * `--chunks` chunks, hybrid with the built-in embedder beside keyword-only.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { EmbeddingModel } from '../../src/models/embedding-model.ts';
import type { FileSearch } from '../../src/tools/file-search.ts';
import { createCachedEmbedder } from '../../src/tools/file-search/cached-embedder.ts';
import { createFileSearch } from '../../src/tools/file-search/search.ts';
import { createOpenAIEmbeddingModel } from '../../src/models/openai-embeddings/openai-embedding-model.ts';
import { createLocalEmbeddingModel } from '../../src/models/use-lite/local-embedding-model.ts';
import { postgresAvailable } from '../../test/helpers/postgres.ts';
import { buildQaCorpus, buildScaleCorpus } from './corpus.ts';
import { measureEmbeddingCost } from './embedding-cost.ts';
import { buildIndex, type Index } from './harness.ts';
import { latency, quality } from './measure.ts';
import { buildLongParaphraseSet } from './paraphrase-long.ts';
import { buildParaphraseSet } from './paraphrase-set.ts';
import { buildHeldOutParaphraseSet } from './paraphrase-held-out.ts';
import {
  meanOfWindows,
  queryAsTyped,
  remembered,
  sampledModel,
  tokenWindowsOnly,
} from './remembered-model.ts';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1' },
    'no-postgres': { type: 'boolean' },
    'remote-url': { type: 'string' },
    'remote-model': { type: 'string' },
    'vector-cache': { type: 'string' },
    'skip-latency': { type: 'boolean' },
    'skip-quality': { type: 'boolean' },
    /** Chunks embedded for real when indexing the latency corpus (the rest get pooled vectors). */
    'real-chunks': { type: 'string', default: '400' },
    /** Chunks embedded twice (token windows; windows and sentences) to show the ingestion cost. */
    'cost-chunks': { type: 'string', default: '100' },
  },
});
const databases = (['sqlite', 'postgres'] as const).filter(
  (database) => database === 'sqlite' || (postgresAvailable && !values['no-postgres']),
);
const fixed = (value: number, digits = 3) => value.toFixed(digits);

console.log(`# bench/retrieval paraphrase — ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
const local = createLocalEmbeddingModel({ threads: Number(values.threads) });
const builtIn = remembered(local, values['vector-cache']);
/**
 * Hybrid variants, each on its own index, in the same run: the built-in embedder scoring a chunk by
 * the mean of its windows (the first scheme), by its best 128-token window, by its best window or
 * sentence with the query as typed (before), and the same with the query read as running text
 * (`queryText`: what the server does now). The first two read the query as typed too.
 */
const models: Array<[string, EmbeddingModel]> = [
  ['hybrid, mean of windows', meanOfWindows(builtIn)],
  ['hybrid, best 128-token window', tokenWindowsOnly(builtIn, (text) => local.tokenWindows(text))],
  ['hybrid, best window or sentence, query as typed', queryAsTyped(builtIn)],
  ['hybrid, best window or sentence, query as running text', builtIn],
];
if (values['remote-url'] && values['remote-model'])
  models.push([
    'remote hybrid',
    createOpenAIEmbeddingModel({ baseURL: values['remote-url'], model: values['remote-model'] }),
  ]);
/** Vector-only ranking (no fusion), to show what the fusion adds or costs. */
function vectorOnly(index: Index, model: EmbeddingModel): FileSearch {
  return async (params) => {
    const query = params.query as string;
    const [vector] = await model.embed([model.queryText?.(query) ?? query]);
    return (
      await index.store.chunks.vectorSearch(
        { vectorStoreIds: [index.vectorStoreId] },
        vector!,
        model.id,
        params.maxNumResults,
      )
    ).map((hit) => ({
      file_id: hit.fileId,
      filename: '',
      score: 0,
      content: [{ type: 'text' as const, text: hit.text }],
      attributes: {},
    }));
  };
}

const chunking = {
  type: 'static' as const,
  static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
};

try {
  const sets = [
    ['short passages', buildParaphraseSet()],
    ['long documents', buildLongParaphraseSet()],
    ['held-out set (short passages)', buildHeldOutParaphraseSet()],
    // Not hand-written, and not used to choose the query reading: the generated product QA corpus of
    // run.ts, its questions all opening with a capitalised function word (a check of `queryText`).
    ['generated product QA (corpus.ts, 100 products)', buildQaCorpus(100, 3)],
  ] as const;
  for (const [setName, { documents, questions }] of values['skip-quality'] ? [] : sets) {
    console.log(
      `\n## quality: ${setName}: ${documents.length} documents (${questions.length} answers, the rest distractors), ${questions.length} questions`,
    );
    for (const database of databases) {
      let keywordPrinted = false;
      for (const [label, model] of models) {
        const index = await buildIndex(database, documents, chunking, model);
        if (!keywordPrinted) {
          const keyword = await quality(index, index.keywordSearch, questions);
          console.log(
            `${database}: keyword-only ${' '.repeat(12)} recall@5 ${fixed(keyword.recallAt5)} MRR ${fixed(keyword.mrr)}`,
          );
          keywordPrinted = true;
        }
        const hybrid = await quality(index, index.hybridSearch, questions);
        const vectors = await quality(index, vectorOnly(index, model), questions);
        const windows = documents.reduce(
          (sum, document) => sum + (model.windows?.(document.text).length ?? 1),
          0,
        );
        console.log(
          `${database}: ${label} (${model.id}) recall@5 ${fixed(hybrid.recallAt5)} MRR ${fixed(hybrid.mrr)} | its vectors alone recall@5 ${fixed(vectors.recallAt5)} MRR ${fixed(vectors.mrr)} | ${windows} vectors`,
        );
        await index.close();
      }
    }
  }
  builtIn.save();
  if (values['skip-latency']) process.exit(0);

  // Ingestion cost of the sentence windows: the model embeds every window of every chunk, so it
  // grows with the vectors per chunk. Measured on 100-token chunks of the latency corpus, uncached.
  await measureEmbeddingCost(local, { chunks: Number(values['cost-chunks']) });

  const chunks = Number(values.chunks);
  const perDocument = 100;
  const sample = buildScaleCorpus(1, 1000)[0]!.text;
  const wordsPerDocument = Math.floor((perDocument * 100 * 1000) / encode(sample).length);
  const scale = buildScaleCorpus(Math.ceil(chunks / perDocument), wordsPerDocument);
  const strategy = {
    type: 'static' as const,
    static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 },
  };
  const queries = buildQaCorpus(Number(values.queries), 3).questions.map(
    (question) => question.query,
  );
  const otherQueries = buildQaCorpus(10, 5).questions.map((question) => question.query);
  console.log(
    `\n## latency: ~${chunks} chunks of ≤100 tokens (${values['real-chunks']} embedded by ${local.id}, the rest pooled vectors with noise); ${queries.length} queries embedded by ${local.id} (one search() call, max 10 results)`,
  );
  for (const database of databases) {
    const model = sampledModel(builtIn, local, Number(values['real-chunks']));
    const index = await buildIndex(database, scale, strategy, model);
    model.stopSampling();
    const backend = await index.store.chunks.vectorBackend();
    const keyword = await latency(index, index.keywordSearch, queries);
    const hybrid = await latency(index, index.hybridSearch, queries);
    // The same search inside a transaction, which scans the vectors in SQL instead of in memory:
    // what every search did before vectors were held (fewer queries: it takes seconds on PostgreSQL).
    const inSql: FileSearch = (params) =>
      index.store.transaction((transaction) =>
        createFileSearch({
          store: transaction,
          embedder: createCachedEmbedder(model, transaction.embeddingCache),
        })(params),
      );
    // Other queries of the same kind, so that each is embedded here too (not read from the cache).
    const sqlScan = await latency(index, inSql, otherQueries);
    // The vector search alone (queries embedded beforehand): in memory, and in SQL (in a transaction).
    const vectors = await local.embed(otherQueries);
    const scope = { vectorStoreIds: [index.vectorStoreId] };
    const timed = async (search: (vector: Float32Array) => Promise<unknown>) => {
      const times: number[] = [];
      for (const vector of vectors) {
        const started = performance.now();
        await search(vector);
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    };
    const heldScan = await timed((vector) =>
      index.store.chunks.vectorSearch(scope, vector, model.id, 50),
    );
    const sqlOnly = await timed((vector) =>
      index.store.transaction((transaction) =>
        transaction.chunks.vectorSearch(scope, vector, model.id, 50),
      ),
    );
    console.log(
      `${database}: vector search alone p50 ${fixed(heldScan, 1)} ms in memory, ${fixed(sqlOnly, 1)} ms in SQL (${vectors.length} queries)`,
    );
    console.log(
      `${database} (vectors in memory; SQL: ${backend}): indexed ${fixed(index.megabytes, 1)} MB in ${fixed(index.indexSeconds, 1)} s | keyword p50 ${fixed(keyword.p50, 1)} ms p99 ${fixed(keyword.p99, 1)} ms | ` +
        `built-in hybrid p50 ${fixed(hybrid.p50, 1)} ms p99 ${fixed(hybrid.p99, 1)} ms (${fixed(hybrid.p50 / keyword.p50, 1)}× keyword) | ` +
        `same, vectors scanned in SQL (before) p50 ${fixed(sqlScan.p50, 1)} ms (${sqlScan.queries} queries)`,
    );
    await index.close();
  }
  builtIn.save();
} finally {
  await local.close();
}

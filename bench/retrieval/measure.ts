/** Retrieval quality (recall@5, MRR) and query latency over a built index. */
import type { FileSearch } from '../../src/tools/file-search.ts';
import type { Question } from './corpus.ts';
import { PROJECT, type Index } from './harness.ts';

export interface Quality {
  recallAt5: number;
  mrr: number;
  byStyle: Record<string, { recallAt5: number; count: number }>;
}

/** Ranks are over files: a file's rank is the position of its best chunk among the results. */
export async function quality(
  index: Index,
  search: FileSearch,
  questions: Question[],
): Promise<Quality> {
  let hits = 0;
  let reciprocal = 0;
  const byStyle: Record<string, { hits: number; count: number }> = {};
  for (const question of questions) {
    const results = await search({
      projectId: PROJECT,
      vectorStoreIds: [index.vectorStoreId],
      query: question.query,
      maxNumResults: 20,
      scoreThreshold: 0,
    });
    const files = [...new Set(results.map((result) => index.names.get(result.file_id)))];
    const rank = files.indexOf(question.answer) + 1;
    const style = (byStyle[question.style] ??= { hits: 0, count: 0 });
    style.count++;
    if (rank >= 1 && rank <= 5) {
      hits++;
      style.hits++;
    }
    if (rank >= 1) reciprocal += 1 / rank;
  }
  return {
    recallAt5: hits / questions.length,
    mrr: reciprocal / questions.length,
    byStyle: Object.fromEntries(
      Object.entries(byStyle).map(([style, value]) => [
        style,
        { recallAt5: value.hits / value.count, count: value.count },
      ]),
    ),
  };
}

export interface Latency {
  p50: number;
  p99: number;
  queries: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** Milliseconds per search over `queries`, after one warm-up query. */
export async function latency(
  index: Index,
  search: FileSearch,
  queries: string[],
): Promise<Latency> {
  await search({
    projectId: PROJECT,
    vectorStoreIds: [index.vectorStoreId],
    query: queries[0]!,
    maxNumResults: 10,
    scoreThreshold: 0,
  });
  const times: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await search({
      projectId: PROJECT,
      vectorStoreIds: [index.vectorStoreId],
      query,
      maxNumResults: 10,
      scoreThreshold: 0,
    });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), queries: times.length };
}

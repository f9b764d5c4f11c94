/**
 * The one search entry point: the vector-store search endpoint calls it, and so will the run engine's
 * file_search tool. Hybrid when an embedder is configured (keyword + vector, fused by normalised
 * score in `fuse-rankings.ts`), keyword-only otherwise. Each store's vectors are searched with the
 * model it searches (the configured one, or the one it had until its re-embedding completes). Stores
 * outside the project, and expired stores, are ignored as if empty.
 */
import { nowSeconds } from '../../domain/clock.ts';
import { matchesFilter, type AttributeFilter } from '../../domain/attribute-filter.ts';
import { isExpired, type FileAttributes } from '../../domain/vector-store.ts';
import type { ChunkScope, Store } from '../../storage/store.ts';
import type { FileSearch, FileSearchResult } from '../file-search.ts';
import type { Embedder } from './cached-embedder.ts';
import { fuseRankings, type RankedList } from './fuse-rankings.ts';

export interface FileSearchOptions {
  store: Store;
  embedder?: Embedder | undefined;
  /**
   * The embedder of another model, for a store still searching the vectors it had before the
   * configured model changed (re-embedding is under way); undefined when that model is not available
   * here, and then such a store is searched by keywords until its files are re-embedded.
   */
  embedderFor?: ((model: string) => Embedder | undefined) | undefined;
  /**
   * Called when the query could not be embedded; the search then runs keyword-only rather than fail,
   * so file search stays available while the embedding upstream is down.
   */
  onEmbeddingError?: (error: unknown) => void;
}

/** Candidates taken from each retriever before fusion. */
function candidateCount(maxNumResults: number): number {
  return Math.max(50, maxNumResults * 4);
}

export function createFileSearch({
  store,
  embedder,
  embedderFor,
  onEmbeddingError,
}: FileSearchOptions): FileSearch {
  /** The stores of the scope by the model whose vectors they search (null: the configured one). */
  async function storesByModel(configured: string, vectorStoreIds: string[]) {
    const models = await store.vectorStores.embeddingModels(vectorStoreIds);
    const groups = new Map<string, string[]>();
    for (const id of vectorStoreIds) {
      const model = models.get(id) ?? configured;
      groups.set(model, [...(groups.get(model) ?? []), id]);
    }
    return groups;
  }

  async function scopeFor(
    projectId: string,
    vectorStoreIds: string[],
    filters: AttributeFilter | undefined,
  ) {
    const now = nowSeconds();
    const stores: string[] = [];
    for (const id of new Set(vectorStoreIds)) {
      const record = await store.vectorStores.findRecord(projectId, id);
      // An expired store is kept (it can be renewed by updating expires_after) but no longer searched.
      if (record && !isExpired(record, now)) stores.push(id);
    }
    if (!filters) return { scope: { vectorStoreIds: stores } as ChunkScope, allowed: undefined };
    const files = await store.vectorStoreFiles.completedAttributes(projectId, stores);
    const allowed = new Set(
      files
        .filter((file) => matchesFilter(file.attributes, filters))
        .map((file) => `${file.vectorStoreId}/${file.fileId}`),
    );
    const fileIds = [
      ...new Set(
        files
          .filter((file) => allowed.has(`${file.vectorStoreId}/${file.fileId}`))
          .map((file) => file.fileId),
      ),
    ];
    return { scope: { vectorStoreIds: stores, fileIds } as ChunkScope, allowed };
  }

  return async function search(params) {
    const { scope, allowed } = await scopeFor(
      params.projectId,
      params.vectorStoreIds,
      params.filters,
    );
    if (scope.vectorStoreIds.length === 0 || scope.fileIds?.length === 0) return [];
    const queries = (Array.isArray(params.query) ? params.query : [params.query]).filter(
      (query) => query.trim() !== '',
    );
    const limit = candidateCount(params.maxNumResults);
    const lists: RankedList[] = [];
    for (const query of queries)
      lists.push({
        retriever: 'keyword',
        hits: await store.chunks.keywordSearch(scope, query, limit),
      });
    if (embedder && queries.length > 0) {
      for (const [model, vectorStoreIds] of await storesByModel(
        embedder.model,
        scope.vectorStoreIds,
      )) {
        const using = model === embedder.model ? embedder : embedderFor?.(model);
        if (!using) continue;
        let vectors: Float32Array[] = [];
        try {
          vectors = await using.embedQueries(
            queries,
            params.signal ? { signal: params.signal } : {},
          );
        } catch (error) {
          if (params.signal?.aborted) throw error;
          onEmbeddingError?.(error);
        }
        // A query with nothing to embed (only punctuation) has a zero vector: it is near nothing.
        for (const vector of vectors.filter((candidate) => candidate.some((value) => value !== 0)))
          lists.push({
            retriever: 'vector',
            hits: await store.chunks.vectorSearch(
              { ...scope, vectorStoreIds },
              vector,
              model,
              limit,
            ),
          });
      }
    }
    const ranked = fuseRankings(lists)
      .filter((entry) => !allowed || allowed.has(`${entry.hit.vectorStoreId}/${entry.hit.fileId}`))
      .filter((entry) => entry.score >= params.scoreThreshold)
      .slice(0, params.maxNumResults);

    const now = nowSeconds();
    for (const id of scope.vectorStoreIds)
      await store.vectorStores.touch(params.projectId, id, now);
    const fileIds = [...new Set(ranked.map((entry) => entry.hit.fileId))];
    const filenames = new Map(
      (await store.files.findMany(params.projectId, fileIds, now)).map((file) => [
        file.id,
        file.filename,
      ]),
    );
    const attributes = new Map<string, FileAttributes>();
    for (const vectorStoreId of new Set(ranked.map((entry) => entry.hit.vectorStoreId))) {
      const inStore = [
        ...new Set(
          ranked
            .filter((entry) => entry.hit.vectorStoreId === vectorStoreId)
            .map((entry) => entry.hit.fileId),
        ),
      ];
      for (const file of await store.vectorStoreFiles.findMany(
        params.projectId,
        vectorStoreId,
        inStore,
      ))
        attributes.set(`${vectorStoreId}/${file.id}`, file.attributes);
    }
    const results: FileSearchResult[] = ranked.map(({ hit, score }) => ({
      file_id: hit.fileId,
      filename: filenames.get(hit.fileId) ?? '',
      score,
      content: [{ type: 'text', text: hit.text }],
      attributes: attributes.get(`${hit.vectorStoreId}/${hit.fileId}`) ?? {},
    }));
    return results;
  };
}

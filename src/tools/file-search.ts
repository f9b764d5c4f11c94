/**
 * Port: file search over vector stores. `src/tools/file-search/search.ts` implements it; the
 * vector-store search endpoint and the run engine's file_search tool call it.
 */
import type { AttributeFilter } from '../domain/attribute-filter.ts';
import type { FileAttributes } from '../domain/vector-store.ts';

export interface FileSearchParams {
  projectId: string;
  vectorStoreIds: string[];
  query: string | string[];
  maxNumResults: number;
  /** Results below this fused score (0–1) are dropped. */
  scoreThreshold: number;
  /** Accepted for compatibility; every ranker value uses the same hybrid fusion. */
  ranker?: string;
  filters?: AttributeFilter | undefined;
  signal?: AbortSignal;
}

export interface FileSearchResult {
  file_id: string;
  filename: string;
  /** Reciprocal-rank-fusion score normalised to 0–1 (1 = ranked first by every retriever). */
  score: number;
  content: Array<{ type: 'text'; text: string }>;
  attributes: FileAttributes;
}

/** Best chunks first; stores outside the project count as empty. */
export type FileSearch = (params: FileSearchParams) => Promise<FileSearchResult[]>;

/** Port: vector stores. Reads derive `file_counts`, `usage_bytes` and `status` from the store's files. */
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type { VectorStore, VectorStoreRecord } from '../../domain/vector-store.ts';

export interface VectorStoreRepository {
  insert(projectId: string, record: VectorStoreRecord): Promise<void>;
  /** The store as the API shows it at `now` (seconds). */
  find(projectId: string, id: string, now: number): Promise<VectorStore | undefined>;
  findRecord(projectId: string, id: string): Promise<VectorStoreRecord | undefined>;
  /** The ids among `ids` that exist in the project. */
  existing(projectId: string, ids: string[]): Promise<Set<string>>;
  /** Replaces the stored record; false when the store no longer exists. */
  update(projectId: string, record: VectorStoreRecord): Promise<boolean>;
  /** Deletes the store with its files, batches, chunks and embeddings. */
  delete(projectId: string, id: string): Promise<boolean>;
  list(projectId: string, page: PageParams, now: number): Promise<ListPage<VectorStore>>;
  /**
   * The model whose vectors each store's searches use, by store id: null for a store never switched
   * (it uses the configured model). Stores not found are absent.
   */
  embeddingModels(ids: string[]): Promise<Map<string, string | null>>;
  /** Records activity (search, new files), which pushes an `expires_after` expiry out. */
  touch(projectId: string, id: string, at: number): Promise<void>;
}

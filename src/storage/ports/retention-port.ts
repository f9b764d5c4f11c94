/**
 * Port: what the janitor deletes, across every project (the janitor is the operator's, not a
 * project's). Each deletion checks its condition again under a lock of the row, in one transaction,
 * so activity that lands first (a new message, a search that renews a vector store) keeps the object.
 * Deletions cascade like the API's.
 */

/** An object of some project. */
export interface ProjectObject {
  projectId: string;
  id: string;
}

export interface RetentionRepository {
  /**
   * Deletes up to `limit` threads created before `before` (seconds) with no message or run created
   * since and no active run, and not backing a response (the responses rule deletes those); returns
   * them.
   */
  deleteInactiveThreads(before: number, limit: number): Promise<ProjectObject[]>;
  /**
   * Deletes up to `limit` responses created before `before` whose run is not active; a response's
   * private thread (with its run, steps and events) goes with the run's last response. Returns them.
   */
  deleteOldResponses(before: number, limit: number): Promise<ProjectObject[]>;
  /**
   * Deletes up to `limit` vector stores whose `expires_after` policy expired them at or before
   * `before`, with their files' chunks (the files themselves stay); returns them.
   */
  deleteExpiredVectorStores(before: number, limit: number): Promise<ProjectObject[]>;
  /**
   * Which of `ids` (blob keys) name a stored file or container file, in any project: the blobs that
   * are not orphans.
   */
  storedFileIds(ids: string[]): Promise<Set<string>>;
}

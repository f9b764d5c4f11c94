/**
 * A new run waits for the files its thread's vector stores are still indexing (a thread created with
 * `attachments` gets a store of its own), as OpenAI's runs did, up to `threadFilesWaitSeconds`; the
 * assistant's own stores are not waited for. The run stays `queued` and holds no worker meanwhile:
 * the worker gives it back to the queue with a not-before time and claims it again later.
 */
import type { ToolResources } from '../domain/assistant.ts';
import type { RunRecord } from '../domain/run-record.ts';
import type { Store } from '../storage/store.ts';

/** How long a waiting run stays out of the queue before its thread's files are checked again. */
export const THREAD_FILES_RECHECK_MS = 500;

/**
 * When (Unix milliseconds) to look at `record` again, if it must wait for its thread's files now;
 * undefined when it may start.
 */
export async function threadFilesWaitUntil(
  store: Store,
  record: RunRecord,
  waitSeconds: number,
  nowMs: number,
): Promise<number | undefined> {
  const { run } = record;
  if (run.status !== 'queued' || run.started_at !== null) return undefined;
  if (!run.tools.some((tool) => tool.type === 'file_search')) return undefined;
  const deadline = (run.created_at + waitSeconds) * 1000;
  if (nowMs >= deadline) return undefined;
  // The thread's resources, or those given to createThreadAndRun in their place.
  const override = record.options.tool_resources as ToolResources | null;
  const resources =
    override ?? (await store.threads.find(record.projectId, run.thread_id))?.tool_resources;
  for (const id of resources?.file_search?.vector_store_ids ?? []) {
    const vectorStore = await store.vectorStores.find(
      record.projectId,
      id,
      Math.floor(nowMs / 1000),
    );
    if (vectorStore && vectorStore.file_counts.in_progress > 0)
      return Math.min(deadline, nowMs + THREAD_FILES_RECHECK_MS);
  }
  return undefined;
}

/** The tool resources a run may use: those given to createThreadAndRun, else the thread's and the assistant's together. */
import type { ToolResources } from '../domain/assistant.ts';
import type { RunRecord } from '../domain/run-record.ts';
import type { Store } from '../storage/store.ts';

function union(...lists: Array<string[] | undefined>): string[] {
  return [...new Set(lists.flatMap((list) => list ?? []))];
}

export async function runToolResources(store: Store, record: RunRecord): Promise<ToolResources> {
  const override = record.options.tool_resources as ToolResources | null;
  const thread = await store.threads.find(record.projectId, record.run.thread_id);
  const assistant = await store.assistants.find(record.projectId, record.run.assistant_id);
  const sources = [override ?? thread?.tool_resources ?? {}, assistant?.tool_resources ?? {}];
  return {
    code_interpreter: {
      file_ids: union(...sources.map((source) => source.code_interpreter?.file_ids)),
    },
    file_search: {
      vector_store_ids: union(...sources.map((source) => source.file_search?.vector_store_ids)),
    },
  };
}

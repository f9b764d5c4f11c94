/**
 * On PostgreSQL a run's creation may take its assistant from this process's cache
 * (`assistants.findVersioned`): the run's insert checks, in its one statement, that the row is still
 * at the version the run was built from, and stores nothing when it is not (changed or deleted by
 * another node). `twin` is another node's store on the same schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestProject, NO_OPTIONS, testRun } from '../../../test/helpers/engine-fixtures.ts';
import {
  createTestPostgresStore,
  dropSchema,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import type { Assistant } from '../../domain/assistant.ts';
import { newId } from '../../domain/ids.ts';
import type { RunRecord } from '../../domain/run-record.ts';
import { StaleAssistantError } from '../ports/runs-port.ts';
import type { Store } from '../store.ts';
import { createPostgresStore } from './postgres-store.ts';

const PROJECT = 'proj_versions';

function assistant(): Assistant {
  return {
    id: newId('assistant'),
    object: 'assistant',
    created_at: 1_700_000_000,
    name: null,
    description: null,
    model: 'gpt-4o',
    instructions: 'first',
    tools: [],
    tool_resources: {},
    metadata: {},
    temperature: 1,
    top_p: 1,
    response_format: 'auto',
    reasoning_effort: null,
  };
}

describe.runIf(postgresAvailable)('assistant versions checked by a run insert (PostgreSQL)', () => {
  let store: Store;
  let twin: Store;
  let schema: string;

  beforeAll(async () => {
    ({ store, schema } = await createTestPostgresStore());
    twin = await createPostgresStore({ connectionString: postgresTestUrl, schema });
    await insertTestProject(store, PROJECT);
  });
  afterAll(async () => {
    await twin?.close();
    await store?.close();
    await dropSchema(schema);
  });

  /** A run on a new thread built from `assistantId` at `version`: its insert. */
  async function createRun(assistantId: string, version: string) {
    const threadId = newId('thread');
    const run = testRun(threadId, { assistant_id: assistantId });
    const record: RunRecord = {
      projectId: PROJECT,
      run,
      options: NO_OPTIONS,
      lockedBy: null,
      leaseUntil: null,
    };
    const thread = {
      id: threadId,
      object: 'thread' as const,
      created_at: 1,
      tool_resources: {},
      metadata: {},
    };
    const insert = store.runs.insert(
      record,
      [{ runId: run.id, event: 'thread.run.created', data: '{}' }],
      { thread, assistant: { id: assistantId, version } },
    );
    return { insert, run, threadId };
  }

  async function storedNothing(run: { id: string }, threadId: string): Promise<void> {
    expect(await store.threads.find(PROJECT, threadId)).toBeUndefined();
    expect(await store.runs.find(PROJECT, run.id)).toBeUndefined();
    expect(await store.runEvents.listAfter(run.id, 0, 10)).toEqual([]);
  }

  it('stores a run built from the current version, and refuses one built from a stale one', async () => {
    const created = assistant();
    await store.assistants.insert(PROJECT, created);
    const first = await store.assistants.findVersioned!(PROJECT, created.id);
    expect(first?.assistant).toEqual(created);
    // Cached: the same object again, frozen (it is shared by the runs built from it).
    expect(await store.assistants.findVersioned!(PROJECT, created.id)).toBe(first);
    expect(Object.isFrozen(first!.assistant)).toBe(true);

    const current = await createRun(created.id, first!.version);
    await current.insert;
    expect(await store.runs.find(PROJECT, current.run.id)).toBeDefined();

    // Another node changes it: this process's cache still has the old version.
    await twin.assistants.update(PROJECT, { ...created, instructions: 'second' });
    expect(await store.assistants.findVersioned!(PROJECT, created.id)).toBe(first);
    const stale = await createRun(created.id, first!.version);
    await expect(stale.insert).rejects.toBeInstanceOf(StaleAssistantError);
    await storedNothing(stale.run, stale.threadId);

    // Read again, it is the new one, at a new version, which the insert takes.
    const fresh = await store.assistants.findVersioned!(PROJECT, created.id, true);
    expect(fresh?.assistant.instructions).toBe('second');
    expect(fresh?.version).not.toBe(first!.version);
    expect(await store.assistants.findVersioned!(PROJECT, created.id)).toBe(fresh);
    await (
      await createRun(created.id, fresh!.version)
    ).insert;

    // Another node deletes it: a run built from it is refused.
    await twin.assistants.delete(PROJECT, created.id);
    const gone = await createRun(created.id, fresh!.version);
    await expect(gone.insert).rejects.toBeInstanceOf(StaleAssistantError);
    await storedNothing(gone.run, gone.threadId);
    expect(await store.assistants.findVersioned!(PROJECT, created.id, true)).toBeUndefined();
  });

  it('drops an assistant from the cache when this process changes or deletes it', async () => {
    const created = assistant();
    await store.assistants.insert(PROJECT, created);
    const first = await store.assistants.findVersioned!(PROJECT, created.id);
    await store.transaction((transaction) =>
      transaction.assistants.update(PROJECT, { ...created, instructions: 'second' }),
    );
    const second = await store.assistants.findVersioned!(PROJECT, created.id);
    expect(second?.assistant.instructions).toBe('second');
    expect(second?.version).not.toBe(first?.version);
    await store.assistants.delete(PROJECT, created.id);
    expect(await store.assistants.findVersioned!(PROJECT, created.id)).toBeUndefined();
  });
});

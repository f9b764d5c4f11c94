/**
 * The contract every storage adapter passes. Each adapter's test file calls `runStoreContract` with a
 * factory for a fresh, migrated store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assistant } from '../domain/assistant.ts';
import { newId } from '../domain/ids.ts';
import type { Message } from '../domain/message.ts';
import type { Thread } from '../domain/thread.ts';
import type { Store } from './store.ts';

export interface StoreFactory {
  create(): Promise<Store>;
  destroy?(store: Store): Promise<void>;
}

function assistant(overrides: Partial<Assistant> = {}): Assistant {
  return {
    id: newId('assistant'),
    object: 'assistant',
    created_at: 1_700_000_000,
    name: 'Helper',
    description: null,
    model: 'gpt-4o',
    instructions: 'Be brief.',
    tools: [
      {
        type: 'function',
        function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
      },
    ],
    tool_resources: {},
    metadata: { team: 'ops' },
    temperature: 1,
    top_p: 1,
    response_format: 'auto',
    reasoning_effort: null,
    ...overrides,
  };
}

function thread(): Thread {
  return {
    id: newId('thread'),
    object: 'thread',
    created_at: 1_700_000_000,
    tool_resources: {},
    metadata: {},
  };
}

function message(threadId: string, overrides: Partial<Message> = {}): Message {
  return {
    id: newId('message'),
    object: 'thread.message',
    created_at: 1_700_000_000,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: 'user',
    content: [{ type: 'text', text: { value: 'hello ☃ \u{1F600}', annotations: [] } }],
    assistant_id: null,
    run_id: null,
    attachments: null,
    metadata: {},
    ...overrides,
  };
}

/**
 * Inside a `describe`: a store from `factory` with the projects `projectIds`, made before the suite's
 * tests and closed after them; read it through the returned getter.
 */
export function storeWithProject(factory: StoreFactory, ...projectIds: string[]): () => Store {
  let store: Store;
  beforeAll(async () => {
    store = await factory.create();
    for (const id of projectIds) {
      await store.projects.insert({
        id,
        object: 'organization.project',
        name: id,
        created_at: 1,
        archived_at: null,
        status: 'active',
      });
    }
  });
  afterAll(async () => {
    await factory.destroy?.(store);
    await store.close();
  });
  return () => store;
}

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    const projectA = 'proj_a';
    const projectB = 'proj_b';
    const opened = storeWithProject(factory, projectA, projectB);
    let store: Store;
    beforeAll(() => {
      store = opened();
    });

    it('stores and returns an assistant exactly, nulls and unicode included', async () => {
      const created = assistant({ description: null, instructions: 'Ünïcødé \u{1F680}' });
      await store.assistants.insert(projectA, created);
      expect(await store.assistants.find(projectA, created.id)).toEqual(created);
    });

    it('hides another project’s objects', async () => {
      const created = assistant();
      await store.assistants.insert(projectA, created);
      expect(await store.assistants.find(projectB, created.id)).toBeUndefined();
      expect(await store.assistants.update(projectB, { ...created, name: 'x' })).toBe(false);
      expect(await store.assistants.delete(projectB, created.id)).toBe(false);
      expect(await store.assistants.find(projectA, created.id)).toEqual(created);
    });

    it('pages by (created_at, id) in both orders, with equal timestamps', async () => {
      const project = 'proj_paging';
      await store.projects.insert({
        id: project,
        object: 'organization.project',
        name: 'p',
        created_at: 1,
        archived_at: null,
        status: 'active',
      });
      const created: Assistant[] = [];
      for (let index = 0; index < 7; index++) {
        const item = assistant({ created_at: 1_700_000_000 + (index < 5 ? 0 : index) });
        created.push(item);
        await store.assistants.insert(project, item);
      }
      const ids = created.map((item) => item.id);
      const collect = async (order: 'asc' | 'desc') => {
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.assistants.list(project, {
            limit: 3,
            order,
            ...(after ? { after } : {}),
          });
          seen.push(...page.data.map((item) => item.id));
          if (!page.has_more) return seen;
          after = page.last_id!;
        }
      };
      expect(await collect('asc')).toEqual(ids);
      expect(await collect('desc')).toEqual([...ids].reverse());

      const before = await store.assistants.list(project, {
        limit: 2,
        order: 'asc',
        before: ids[4]!,
      });
      expect(before.data.map((item) => item.id)).toEqual([ids[2], ids[3]]);
      expect(before.has_more).toBe(true);
      const between = await store.assistants.list(project, {
        limit: 10,
        order: 'desc',
        after: ids[5]!,
        before: ids[1]!,
      });
      expect(between.data.map((item) => item.id)).toEqual([ids[4], ids[3], ids[2]]);
      const empty = await store.assistants.list(project, {
        limit: 5,
        order: 'asc',
        after: ids[6]!,
      });
      expect(empty).toEqual({
        object: 'list',
        data: [],
        first_id: null,
        last_id: null,
        has_more: false,
      });
    });

    it('keeps messages in insertion order and filters them by run', async () => {
      const created = thread();
      await store.threads.insert(projectA, created);
      const first = message(created.id);
      const second = message(created.id, {
        run_id: 'run_1',
        role: 'assistant',
        assistant_id: 'asst_1',
      });
      const third = message(created.id);
      for (const item of [first, second, third]) await store.messages.insert(projectA, item);
      expect((await store.messages.listAll(projectA, created.id)).map((item) => item.id)).toEqual([
        first.id,
        second.id,
        third.id,
      ]);
      const byRun = await store.messages.list(
        projectA,
        created.id,
        { limit: 20, order: 'desc' },
        { runId: 'run_1' },
      );
      expect(byRun.data).toEqual([second]);
      expect(
        (await store.messages.list(projectB, created.id, { limit: 20, order: 'desc' })).data,
      ).toEqual([]);
    });

    it('inserts into a thread only when the thread is in the project', async () => {
      const created = thread();
      await store.threads.insert(projectA, created);
      const item = message(created.id, {
        incomplete_details: { reason: 'max_tokens' },
        completed_at: 5,
        metadata: { a: 'b' },
      });
      expect(await store.messages.insertIntoThread(projectB, item)).toBe(false);
      expect(await store.messages.insertIntoThread(projectA, message('thread_missing'))).toBe(
        false,
      );
      expect(await store.messages.insertIntoThread(projectA, item)).toBe(true);
      expect(await store.messages.find(projectA, item.id)).toEqual(item);
      // With its JSON given, that text is what is stored (the caller sends the same text).
      const second = message(created.id, { metadata: { b: 'c' } });
      expect(await store.messages.insertIntoThread(projectA, second, JSON.stringify(second))).toBe(
        true,
      );
      expect(await store.messages.find(projectA, second.id)).toEqual(second);
    });

    it('lists a first page as the same JSON as the page of objects', async () => {
      const created = thread();
      await store.threads.insert(projectA, created);
      const empty = { limit: 2, order: 'desc' } as const;
      expect(JSON.parse((await store.messages.listJson(projectA, created.id, empty)).text)).toEqual(
        { object: 'list', data: [], first_id: null, last_id: null, has_more: false },
      );
      for (let index = 0; index < 3; index++)
        await store.messages.insertIntoThread(projectA, message(created.id, { created_at: index }));
      for (const page of [
        { limit: 2, order: 'desc' },
        { limit: 2, order: 'asc' },
        { limit: 3, order: 'desc' },
        { limit: 20, order: 'asc' },
      ] as const) {
        const listed = await store.messages.listJson(projectA, created.id, page);
        expect(JSON.parse(listed.text)).toEqual(
          await store.messages.list(projectA, created.id, page),
        );
        expect(listed.itemCount).toBe(Math.min(page.limit, 3));
      }
    });

    it('deletes a thread’s messages with the thread', async () => {
      const created = thread();
      await store.threads.insert(projectA, created);
      const item = message(created.id);
      await store.messages.insert(projectA, item);
      expect(await store.threads.delete(projectA, created.id)).toBe(true);
      expect(await store.messages.find(projectA, item.id)).toBeUndefined();
    });

    it('rolls back every write of a failed transaction', async () => {
      const created = thread();
      await expect(
        store.transaction(async (transaction) => {
          await transaction.threads.insert(projectA, created);
          await transaction.messages.insert(projectA, message(created.id));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.threads.find(projectA, created.id)).toBeUndefined();
    });

    it('stores responses per project, and finds the segment of a run by seq', async () => {
      const base = {
        object: 'response' as const,
        created_at: 1_700_000_000,
        status: 'completed' as const,
        background: false,
        completed_at: null,
        error: null,
        incomplete_details: null,
        instructions: null,
        max_output_tokens: null,
        max_tool_calls: null,
        model: 'gpt-4o',
        output: [],
        parallel_tool_calls: true,
        previous_response_id: null,
        reasoning: { effort: null, summary: null },
        store: true,
        temperature: 1,
        text: { format: { type: 'text' as const } },
        tool_choice: 'auto' as const,
        tools: [],
        top_p: 1,
        presence_penalty: 0,
        frequency_penalty: 0,
        top_logprobs: 0,
        service_tier: 'default' as const,
        safety_identifier: null,
        prompt_cache_key: null,
        truncation: 'disabled' as const,
        usage: null,
        metadata: {},
        conversation: null,
      };
      const runId = newId('run');
      const record = (id: string, afterSeq: number) => ({
        projectId: projectA,
        response: { ...base, id, previous_response_id: afterSeq ? first : null },
        input: [
          {
            type: 'message' as const,
            id: newId('message'),
            role: 'user' as const,
            status: 'completed' as const,
            content: [{ type: 'input_text' as const, text: 'hi ☃' }],
          },
        ],
        runId,
        threadId: newId('thread'),
        afterSeq,
      });
      const first = newId('response');
      const second = newId('response');
      const firstRecord = record(first, 0);
      await store.responses.insert(firstRecord);
      await store.responses.insert(record(second, 7));
      expect(await store.responses.find(projectA, first)).toEqual(firstRecord);
      expect(await store.responses.find(projectB, first)).toBeUndefined();
      expect((await store.responses.findByRun(runId))?.response.id).toBe(second);
      expect((await store.responses.findByRun(runId, 6))?.response.id).toBe(first);
      expect((await store.responses.findByRun(runId, 0))?.response.id).toBe(first);
      expect(await store.responses.countByRun(runId)).toBe(2);
      const stored = (await store.responses.find(projectA, second))!;
      const updated = { ...stored, response: { ...stored.response, status: 'failed' as const } };
      expect(await store.responses.update(projectB, updated)).toBe(false);
      expect(await store.responses.update(projectA, updated)).toBe(true);
      expect((await store.responses.find(projectA, second))?.response.status).toBe('failed');
      expect(await store.responses.delete(projectB, second)).toBe(false);
      expect(await store.responses.delete(projectA, second)).toBe(true);
      expect(await store.responses.countByRun(runId)).toBe(1);

      // A response after an unstored one keeps the items before it, and reads them back.
      const carried = { ...record(newId('response'), 9), history: firstRecord.input };
      await store.responses.insert(carried);
      expect(await store.responses.find(projectA, carried.response.id)).toEqual(carried);
      expect(await store.responses.find(projectA, first)).not.toHaveProperty('history');
    });

    it('finds an API key by its hash only, with its project', async () => {
      const key = {
        id: newId('apiKey'),
        object: 'organization.project.api_key' as const,
        name: 'ci',
        redacted_value: 'sk-…abcd',
        created_at: 5,
        last_used_at: null,
        project_id: projectA,
      };
      await store.apiKeys.insert(key, 'hash-1');
      const found = await store.apiKeys.findByHash('hash-1');
      expect(found?.key).toEqual(key);
      expect(found?.project.id).toBe(projectA);
      expect(await store.apiKeys.findByHash('hash-2')).toBeUndefined();
      await store.apiKeys.touch(key.id, 99);
      expect((await store.apiKeys.find(projectA, key.id))?.last_used_at).toBe(99);
    });
  });
}

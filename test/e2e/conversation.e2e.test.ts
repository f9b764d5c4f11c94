/**
 * The conversation API (assistants, threads, messages) through the official openai SDK 6.49.0
 * against a listening server, on SQLite and on Postgres.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

describe.each(testDatabases)('conversation API with the official SDK (%s)', (database) => {
  let app: TestApp;
  let client: OpenAI;

  beforeAll(async () => {
    const started = await createListeningTestApp({ database });
    app = started.app;
    client = new OpenAI({ baseURL: started.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  });
  afterAll(() => app.destroy());

  it('runs the assistant lifecycle: create, retrieve, update, list with auto-pagination, delete', async () => {
    const created = await client.beta.assistants.create({
      model: 'gpt-4o',
      name: 'Math tutor',
      instructions: 'You are a personal math tutor.',
      tools: [
        { type: 'code_interpreter' },
        {
          type: 'function',
          function: {
            name: 'lookup',
            description: 'Look up',
            parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
            strict: true,
          },
        },
        {
          type: 'file_search',
          file_search: {
            max_num_results: 8,
            ranking_options: { ranker: 'default_2024_08_21', score_threshold: 0.2 },
          },
        },
      ],
      metadata: { course: 'algebra' },
      temperature: 0.3,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
    });
    expect(created.id).toMatch(/^asst_/);
    expect(created._request_id).toMatch(/^req_/);
    expect(created).toMatchObject({
      object: 'assistant',
      name: 'Math tutor',
      temperature: 0.3,
      top_p: 1,
      metadata: { course: 'algebra' },
    });

    const retrieved = await client.beta.assistants.retrieve(created.id);
    expect(retrieved).toEqual(created);

    const updated = await client.beta.assistants.update(created.id, {
      name: 'Algebra tutor',
      metadata: { course: 'algebra', level: '2' },
    });
    expect(updated).toMatchObject({
      name: 'Algebra tutor',
      instructions: 'You are a personal math tutor.',
      metadata: { level: '2' },
    });

    const more = [];
    for (let index = 0; index < 4; index++)
      more.push(
        (await client.beta.assistants.create({ model: 'gpt-4o-mini', name: `extra ${index}` })).id,
      );
    const seen: string[] = [];
    for await (const assistant of client.beta.assistants.list({ limit: 2, order: 'asc' }))
      seen.push(assistant.id);
    expect(seen).toEqual([created.id, ...more]);

    const deleted = await client.beta.assistants.delete(created.id);
    expect(deleted).toMatchObject({ id: created.id, object: 'assistant.deleted', deleted: true });
    await expect(client.beta.assistants.retrieve(created.id)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('runs the thread and message lifecycle', async () => {
    const thread = await client.beta.threads.create({
      messages: [
        { role: 'user', content: 'Hello', metadata: { n: '1' } },
        { role: 'assistant', content: 'Hi, how can I help?' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look at this' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
      ],
      metadata: { user: 'u1' },
    });
    expect(thread).toMatchObject({
      object: 'thread',
      metadata: { user: 'u1' },
      tool_resources: {},
    });
    expect(await client.beta.threads.retrieve(thread.id)).toEqual(thread);
    expect(
      (await client.beta.threads.update(thread.id, { metadata: { user: 'u2' } })).metadata,
    ).toEqual({ user: 'u2' });

    const initial = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
    expect(initial.data.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(initial.data[0]!.content).toEqual([
      { type: 'text', text: { value: 'Hello', annotations: [] } },
    ]);
    expect(initial.data[2]!.content[1]).toEqual({
      type: 'image_url',
      image_url: { url: 'https://example.com/a.png', detail: 'low' },
    });

    const added = await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'One more',
    });
    expect(added).toMatchObject({
      object: 'thread.message',
      thread_id: thread.id,
      run_id: null,
      assistant_id: null,
      status: 'completed',
    });
    expect(await client.beta.threads.messages.retrieve(added.id, { thread_id: thread.id })).toEqual(
      added,
    );
    const modified = await client.beta.threads.messages.update(added.id, {
      thread_id: thread.id,
      metadata: { flagged: 'no' },
    });
    expect(modified.metadata).toEqual({ flagged: 'no' });

    const ids = initial.data.map((message) => message.id).concat(added.id);
    const firstPage = await client.beta.threads.messages.list(thread.id, { limit: 2 });
    expect(firstPage.data.map((message) => message.id)).toEqual([ids[3], ids[2]]);
    expect(firstPage.hasNextPage()).toBe(true);
    const secondPage = await firstPage.getNextPage();
    expect(secondPage.data.map((message) => message.id)).toEqual([ids[1], ids[0]]);
    const after = await client.beta.threads.messages.list(thread.id, {
      order: 'asc',
      after: ids[1]!,
    });
    expect(after.data.map((message) => message.id)).toEqual(ids.slice(2));
    const before = await client.beta.threads.messages.list(thread.id, {
      order: 'asc',
      before: ids[2]!,
      limit: 1,
    });
    expect(before.data.map((message) => message.id)).toEqual([ids[1]]);
    const byRun = await client.beta.threads.messages.list(thread.id, { run_id: 'run_nothing' });
    expect(byRun.data).toEqual([]);

    expect(
      await client.beta.threads.messages.delete(added.id, { thread_id: thread.id }),
    ).toMatchObject({ object: 'thread.message.deleted', deleted: true });
    expect(await client.beta.threads.delete(thread.id)).toMatchObject({
      id: thread.id,
      object: 'thread.deleted',
      deleted: true,
    });
    await expect(client.beta.threads.retrieve(thread.id)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('raises the SDK error class that matches each failure', async () => {
    const badRequest = await client.beta.assistants
      .create({
        model: 'gpt-4o',
        metadata: Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v'])),
      })
      .catch((error) => error);
    expect(badRequest).toBeInstanceOf(OpenAI.BadRequestError);
    expect(badRequest.param).toBe('metadata');
    expect(badRequest.type).toBe('invalid_request_error');
    expect(badRequest.requestID).toMatch(/^req_/);
    await expect(client.beta.threads.retrieve('thread_nope')).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(
      client.beta.threads.messages.create('thread_nope', { role: 'user', content: 'x' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.beta.assistants.create({ model: 'gpt-4o', ...({ unknown_field: 1 } as object) }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('authentication errors through the SDK', () => {
  let app: TestApp;
  let baseURL: string;
  beforeAll(async () => {
    const started = await createListeningTestApp({ config: { apiKey: 'the-admin-key' } });
    app = started.app;
    baseURL = started.baseURL;
  });
  afterAll(() => app.destroy());

  it('maps a wrong key to AuthenticationError and a project key on admin routes to PermissionDeniedError', async () => {
    const wrong = new OpenAI({ baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(wrong.beta.assistants.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const admin = new OpenAI({ baseURL, apiKey: 'the-admin-key', maxRetries: 0 });
    const project = await admin.post<{ id: string }>('/organization/projects', {
      body: { name: 'sdk' },
    });
    const key = await admin.post<{ value: string }>(
      `/organization/projects/${project.id}/api_keys`,
      { body: { name: 'k' } },
    );
    const scoped = new OpenAI({ baseURL, apiKey: key.value, maxRetries: 0 });
    expect((await scoped.beta.assistants.list()).data).toEqual([]);
    await expect(scoped.get('/organization/projects')).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );
  });
});

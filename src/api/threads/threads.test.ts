import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { uploadFile } from '../../../test/helpers/files-api.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe('/v1/threads', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('creates a thread with initial messages in order, all in one transaction', async () => {
    const file = await uploadFile(app.server, 'notes.txt', 'Some notes.');
    const created = await request(app.server, 'POST', '/v1/threads', {
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'text', text: 'second' }] },
        {
          role: 'user',
          content: 'third',
          metadata: { k: 'v' },
          attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
        },
      ],
      metadata: { topic: 'x' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^thread_/),
      object: 'thread',
      created_at: expect.any(Number),
      // The file_search attachment gave the thread a vector store, as OpenAI does.
      tool_resources: { file_search: { vector_store_ids: [expect.stringMatching(/^vs_/)] } },
      metadata: { topic: 'x' },
    });
    const list = await request(
      app.server,
      'GET',
      `/v1/threads/${created.body.id}/messages?order=asc`,
    );
    expect(list.body.data.map((message: any) => message.content[0].text.value)).toEqual([
      'first',
      'second',
      'third',
    ]);
    expect(list.body.data[2].attachments).toEqual([
      { file_id: file.id, tools: [{ type: 'file_search' }] },
    ]);
    expect(list.body.data[1].role).toBe('assistant');
  });

  it('rejects an invalid initial message, naming it', async () => {
    const response = await request(app.server, 'POST', '/v1/threads', {
      messages: [
        { role: 'user', content: 'ok' },
        { role: 'robot', content: 'bad' },
      ],
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).param).toBe('messages[1].role');
  });

  it('accepts an empty body and no body', async () => {
    expect((await request(app.server, 'POST', '/v1/threads', {})).status).toBe(200);
    const response = await app.server.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { authorization: 'Bearer x' },
    });
    expect(response.statusCode).toBe(200);
  });

  it('updates metadata and tool_resources, and deletes with its messages', async () => {
    const thread = (
      await request(app.server, 'POST', '/v1/threads', {
        messages: [{ role: 'user', content: 'hi' }],
      })
    ).body;
    const file = await uploadFile(app.server, 'data.csv', 'a,b\n1,2\n');
    const updated = await request(app.server, 'POST', `/v1/threads/${thread.id}`, {
      metadata: { a: 'b' },
      tool_resources: { code_interpreter: { file_ids: [file.id] } },
    });
    expect(updated.body).toMatchObject({
      metadata: { a: 'b' },
      tool_resources: { code_interpreter: { file_ids: [file.id] } },
    });
    expect((await request(app.server, 'GET', `/v1/threads/${thread.id}`)).body).toEqual(
      updated.body,
    );
    expect((await request(app.server, 'DELETE', `/v1/threads/${thread.id}`)).body).toEqual({
      id: thread.id,
      object: 'thread.deleted',
      deleted: true,
    });
    expect((await request(app.server, 'GET', `/v1/threads/${thread.id}/messages`)).status).toBe(
      404,
    );
  });

  it('rejects a malformed thread id with 400 and an unknown one with 404', async () => {
    const malformed = await request(app.server, 'GET', '/v1/threads/abc');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).message).toBe(
      "Invalid 'thread_id': 'abc'. Expected an ID that begins with 'thread'.",
    );
    const unknown = await request(app.server, 'GET', '/v1/threads/thread_doesnotexist');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).message).toBe("No thread found with id 'thread_doesnotexist'.");
  });

  it('creates and attaches a vector store through the vector_stores helper; an unknown file is a 404', async () => {
    const file = await uploadFile(app.server, 'guide.md', '# Guide');
    const created = await request(app.server, 'POST', '/v1/threads', {
      tool_resources: { file_search: { vector_stores: [{ file_ids: [file.id] }] } },
    });
    expect(created.status).toBe(200);
    const [storeId] = created.body.tool_resources.file_search.vector_store_ids;
    expect(
      (await request(app.server, 'GET', `/v1/vector_stores/${storeId}/files`)).body.data.map(
        (entry: any) => entry.id,
      ),
    ).toEqual([file.id]);
    const missing = await request(app.server, 'POST', '/v1/threads', {
      tool_resources: { file_search: { vector_stores: [{ file_ids: ['file-missing'] }] } },
    });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).message).toBe("No file found with id 'file-missing'.");
  });
});

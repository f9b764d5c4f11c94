import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe('/v1/threads', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('creates a thread with initial messages in order, all in one transaction', async () => {
    const created = await request(app.server, 'POST', '/v1/threads', {
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'text', text: 'second' }] },
        { role: 'user', content: 'third', metadata: { k: 'v' }, attachments: [{ file_id: 'file-abc', tools: [{ type: 'file_search' }] }] },
      ],
      metadata: { topic: 'x' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^thread_/),
      object: 'thread',
      created_at: expect.any(Number),
      tool_resources: {},
      metadata: { topic: 'x' },
    });
    const list = await request(app.server, 'GET', `/v1/threads/${created.body.id}/messages?order=asc`);
    expect(list.body.data.map((message: any) => message.content[0].text.value)).toEqual(['first', 'second', 'third']);
    expect(list.body.data[2].attachments).toEqual([{ file_id: 'file-abc', tools: [{ type: 'file_search' }] }]);
    expect(list.body.data[1].role).toBe('assistant');
  });

  it('rejects an invalid initial message, naming it', async () => {
    const response = await request(app.server, 'POST', '/v1/threads', {
      messages: [{ role: 'user', content: 'ok' }, { role: 'robot', content: 'bad' }],
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).param).toBe('messages[1].role');
  });

  it('accepts an empty body and no body', async () => {
    expect((await request(app.server, 'POST', '/v1/threads', {})).status).toBe(200);
    const response = await app.server.inject({ method: 'POST', url: '/v1/threads', headers: { authorization: 'Bearer x' } });
    expect(response.statusCode).toBe(200);
  });

  it('updates metadata and tool_resources, and deletes with its messages', async () => {
    const thread = (await request(app.server, 'POST', '/v1/threads', { messages: [{ role: 'user', content: 'hi' }] })).body;
    const updated = await request(app.server, 'POST', `/v1/threads/${thread.id}`, {
      metadata: { a: 'b' },
      tool_resources: { code_interpreter: { file_ids: ['file-1'] } },
    });
    expect(updated.body).toMatchObject({ metadata: { a: 'b' }, tool_resources: { code_interpreter: { file_ids: ['file-1'] } } });
    expect((await request(app.server, 'GET', `/v1/threads/${thread.id}`)).body).toEqual(updated.body);
    expect((await request(app.server, 'DELETE', `/v1/threads/${thread.id}`)).body).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });
    expect((await request(app.server, 'GET', `/v1/threads/${thread.id}/messages`)).status).toBe(404);
  });

  it('rejects a malformed thread id with 400 and an unknown one with 404', async () => {
    const malformed = await request(app.server, 'GET', '/v1/threads/abc');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).message).toBe("Invalid 'thread_id': 'abc'. Expected an ID that begins with 'thread'.");
    const unknown = await request(app.server, 'GET', '/v1/threads/thread_doesnotexist');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).message).toBe("No thread found with id 'thread_doesnotexist'.");
  });

  it('refuses the vector_stores helper until vector stores exist, and writes nothing', async () => {
    const response = await request(app.server, 'POST', '/v1/threads', {
      tool_resources: { file_search: { vector_stores: [{ file_ids: ['file-x'] }] } },
    });
    expect(response.status).toBe(400);
  });
});

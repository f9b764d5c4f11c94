import { createHook } from 'node:async_hooks';
import { newId } from '../../../domain/ids.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorOf, request } from '../../../../test/helpers/inject.ts';
import { uploadFile } from '../../../../test/helpers/files-api.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import SqliteDatabase from 'better-sqlite3';
import {
  MessageCreateParamsSchema,
  MessageListQuerySchema,
  MessageSchema,
  ThreadPathSchema,
} from './messages.schemas.ts';

/** A stored message object (what the counted calls are about). */
const isMessage = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  'object' in value &&
  value.object === 'thread.message';

describe('/v1/threads/{thread_id}/messages', () => {
  let app: TestApp;
  let threadId: string;
  beforeAll(async () => {
    app = await createTestApp();
    threadId = (await request(app.server, 'POST', '/v1/threads', {})).body.id;
  });
  afterAll(() => app.destroy());
  const post = (body: unknown, thread = threadId) =>
    request(app.server, 'POST', `/v1/threads/${thread}/messages`, body);
  const list = (query: string) =>
    request(app.server, 'GET', `/v1/threads/${threadId}/messages?${query}`);

  it('serializes a created message once and sends listed messages as stored, with no parse or zod', async () => {
    const stringify = vi.spyOn(JSON, 'stringify');
    const parse = vi.spyOn(JSON, 'parse');
    // Neither the response schema nor (their fast paths take the usual shape) the request schemas.
    const zod = [
      MessageSchema,
      ThreadPathSchema,
      MessageCreateParamsSchema,
      MessageListQuerySchema,
    ].flatMap((schema) => [vi.spyOn(schema, 'parse'), vi.spyOn(schema, 'safeParse')]);
    try {
      const payload = JSON.stringify({ role: 'user', content: 'counted' });
      stringify.mockClear();
      const created = await app.server.inject({
        method: 'POST',
        url: `/v1/threads/${threadId}/messages`,
        headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
        payload,
      });
      expect(created.statusCode).toBe(200);
      expect(stringify.mock.calls.filter(([value]) => isMessage(value))).toHaveLength(1);
      parse.mockClear();
      const listed = await app.server.inject({
        method: 'GET',
        url: `/v1/threads/${threadId}/messages?limit=20`,
        headers: { authorization: 'Bearer test' },
      });
      expect(listed.statusCode).toBe(200);
      const storedRows = parse.mock.calls.filter(
        ([text]) => typeof text === 'string' && text.includes('"object":"thread.message"'),
      );
      expect(storedRows).toHaveLength(0);
      for (const spy of zod) expect(spy).not.toHaveBeenCalled();
      expect(listed.json().data[0]).toEqual(created.json());
    } finally {
      stringify.mockRestore();
      parse.mockRestore();
      for (const spy of zod) spy.mockRestore();
    }
  });

  it('runs one SQL statement to create a message and one to list a first page', async () => {
    const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1'));
    const spies = ['run', 'all', 'get', 'iterate'].map((method) => vi.spyOn(statement, method));
    const statements = () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    const message = { role: 'user', content: 'one statement' };
    try {
      // Once first: the key lookup and the limits read are cached after the first request.
      await post(message);
      await list('limit=20');
      for (const spy of spies) spy.mockClear();
      expect((await post(message)).status).toBe(200);
      expect(statements()).toBe(1);
      expect((await list('limit=20')).status).toBe(200);
      expect(statements()).toBe(2);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('answers the usual post and first page with no promise made under the route handler', async () => {
    // Promises created while the server's route handler (src/http/server.ts) is on the stack: the
    // handler, the service, the attachments hook, the store and the limiter, for this request shape.
    const made: string[] = [];
    const limit = Error.stackTraceLimit;
    const hook = createHook({
      init(_id, type) {
        if (type !== 'PROMISE') return;
        const stack = new Error().stack ?? '';
        if (stack.includes('/src/http/server.ts')) made.push(stack);
      },
    });
    const message = { role: 'user', content: 'no promise' };
    // Once first: the key lookup and the limits read are cached after the first request.
    await post(message);
    await list('limit=20');
    Error.stackTraceLimit = 100;
    hook.enable();
    try {
      expect((await post(message)).status).toBe(200);
      expect((await list('limit=20')).status).toBe(200);
    } finally {
      hook.disable();
      Error.stackTraceLimit = limit;
    }
    expect(made).toEqual([]);
    // The counting sees promises where there are some: a message with an attachment checks its file.
    hook.enable();
    try {
      const withFile = await post({
        ...message,
        attachments: [{ file_id: newId('file'), tools: [{ type: 'code_interpreter' }] }],
      });
      expect(withFile.body.error).toMatchObject({ param: 'attachments[0].file_id' });
    } finally {
      hook.disable();
    }
    expect(made.length).toBeGreaterThan(0);
  });

  it('answers the same 400s as before for posts and lists off the fast paths', async () => {
    expect(errorOf(await post({ role: 'user', content: '' }))).toMatchObject({
      param: 'content',
      type: 'invalid_request_error',
    });
    expect((await post({ role: 'system', content: 'hi' })).body.error.message).toBe(
      "Invalid value for 'role': \"system\". Supported values are: 'user', 'assistant'.",
    );
    expect((await post({ role: 'user', content: 'hi', extra: 1 })).body.error.message).toBe(
      'Unrecognized request argument supplied: extra',
    );
    expect((await post({ role: 'user', content: 'hi' }, 'thread-x')).body.error.param).toBe(
      'thread_id',
    );
    expect((await list('limit=0')).body.error.message).toBe(
      "Invalid 'limit': expected a minimum value of 1, but got 0 instead.",
    );
    expect((await list('limit=101')).status).toBe(400);
    expect((await list('order=up')).body.error.param).toBe('order');
    expect((await list('limit=5&limit=6')).status).toBe(400);
  });

  it('turns string content into a text part with no annotations', async () => {
    const response = await request(app.server, 'POST', `/v1/threads/${threadId}/messages`, {
      role: 'user',
      content: 'Hello 👋',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^msg_/),
      object: 'thread.message',
      created_at: expect.any(Number),
      thread_id: threadId,
      status: 'completed',
      incomplete_details: null,
      completed_at: null,
      incomplete_at: null,
      role: 'user',
      content: [{ type: 'text', text: { value: 'Hello 👋', annotations: [] } }],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: {},
    });
  });

  it('accepts text, image_file and image_url parts with detail', async () => {
    const image = await uploadFile(
      app.server,
      'chart.png',
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const response = await request(app.server, 'POST', `/v1/threads/${threadId}/messages`, {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in these?' },
        { type: 'image_file', image_file: { file_id: image.id, detail: 'high' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.content).toEqual([
      { type: 'text', text: { value: 'What is in these?', annotations: [] } },
      { type: 'image_file', image_file: { file_id: image.id, detail: 'high' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]);
    const unknown = await request(app.server, 'POST', `/v1/threads/${threadId}/messages`, {
      role: 'user',
      content: [{ type: 'image_file', image_file: { file_id: 'file-nope' } }],
    });
    expect(unknown.status).toBe(404);
  });

  it.each([
    ['an empty content array', { role: 'user', content: [] }, 'content'],
    [
      'an unknown part type',
      { role: 'user', content: [{ type: 'audio', audio: {} }] },
      'content[0].type',
    ],
    [
      'an image in an assistant message',
      {
        role: 'assistant',
        content: [{ type: 'image_url', image_url: { url: 'https://x.y/z.png' } }],
      },
      'content[0]',
    ],
    [
      'a non-URL image_url',
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'not a url' } }] },
      'content[0].image_url.url',
    ],
    [
      'a bad detail',
      {
        role: 'user',
        content: [{ type: 'image_file', image_file: { file_id: 'file-1', detail: 'ultra' } }],
      },
      'content[0].image_file.detail',
    ],
    [
      'an attachment without tools',
      { role: 'user', content: 'x', attachments: [{ file_id: 'file-1' }] },
      'attachments[0].tools',
    ],
    [
      'an unknown attachment tool',
      {
        role: 'user',
        content: 'x',
        attachments: [{ file_id: 'file-1', tools: [{ type: 'web' }] }],
      },
      'attachments[0].tools[0].type',
    ],
    ['a system role', { role: 'system', content: 'x' }, 'role'],
  ])('rejects %s', async (_label, body, param) => {
    const response = await request(app.server, 'POST', `/v1/threads/${threadId}/messages`, body);
    expect(response.status).toBe(400);
    expect(errorOf(response).param).toBe(param);
  });

  it('retrieves, updates metadata, lists with cursors and run_id, and deletes', async () => {
    const thread = (await request(app.server, 'POST', '/v1/threads', {})).body.id;
    const ids: string[] = [];
    for (let index = 0; index < 4; index++) {
      ids.push(
        (
          await request(app.server, 'POST', `/v1/threads/${thread}/messages`, {
            role: 'user',
            content: `m${index}`,
          })
        ).body.id,
      );
    }
    const updated = await request(app.server, 'POST', `/v1/threads/${thread}/messages/${ids[0]}`, {
      metadata: { seen: 'yes' },
    });
    expect(updated.body.metadata).toEqual({ seen: 'yes' });
    expect(
      (await request(app.server, 'GET', `/v1/threads/${thread}/messages/${ids[0]}`)).body.metadata,
    ).toEqual({ seen: 'yes' });

    const page = await request(app.server, 'GET', `/v1/threads/${thread}/messages?limit=2`);
    expect(page.body.data.map((message: any) => message.id)).toEqual([ids[3], ids[2]]);
    // First pages of every size and order (each size has its own statement), against the ids.
    for (const order of ['asc', 'desc'] as const) {
      const all = order === 'asc' ? ids : [...ids].reverse();
      for (const limit of [1, 3, 4, 5, 100]) {
        const first = await request(
          app.server,
          'GET',
          `/v1/threads/${thread}/messages?order=${order}&limit=${limit}`,
        );
        expect(first.body).toMatchObject({
          first_id: all[0],
          last_id: all[Math.min(limit, 4) - 1],
          has_more: limit < 4,
        });
        expect(first.body.data.map((message: any) => message.id)).toEqual(all.slice(0, limit));
      }
    }
    const before = await request(
      app.server,
      'GET',
      `/v1/threads/${thread}/messages?order=asc&before=${ids[3]}&limit=2`,
    );
    expect(before.body.data.map((message: any) => message.id)).toEqual([ids[1], ids[2]]);
    const byRun = await request(
      app.server,
      'GET',
      `/v1/threads/${thread}/messages?run_id=run_none`,
    );
    expect(byRun.body.data).toEqual([]);

    expect(
      (await request(app.server, 'DELETE', `/v1/threads/${thread}/messages/${ids[1]}`)).body,
    ).toEqual({
      id: ids[1],
      object: 'thread.message.deleted',
      deleted: true,
    });
    expect(
      (await request(app.server, 'GET', `/v1/threads/${thread}/messages/${ids[1]}`)).status,
    ).toBe(404);
  });

  it('answers 404 for a message of another thread', async () => {
    const other = (
      await request(app.server, 'POST', '/v1/threads', {
        messages: [{ role: 'user', content: 'x' }],
      })
    ).body.id;
    const message = (await request(app.server, 'GET', `/v1/threads/${other}/messages`)).body.data[0]
      .id;
    const response = await request(
      app.server,
      'GET',
      `/v1/threads/${threadId}/messages/${message}`,
    );
    expect(response.status).toBe(404);
    expect(errorOf(response).message).toBe(`No message found with id '${message}'.`);
  });
});

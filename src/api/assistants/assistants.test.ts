import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { multipart } from '../../../test/helpers/multipart.ts';

describe('/v1/assistants', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('creates an assistant with every field shaped as the spec shapes it', async () => {
    const response = await request(app.server, 'POST', '/v1/assistants', {
      model: 'gpt-4o',
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: true,
          },
        },
        { type: 'code_interpreter' },
        {
          type: 'file_search',
          file_search: {
            max_num_results: 5,
            ranking_options: { ranker: 'auto', score_threshold: 0.5 },
          },
        },
      ],
    });
    expect(response.status).toBe(200);
    const assistant = response.body;
    expect(assistant).toEqual({
      id: expect.stringMatching(/^asst_/),
      object: 'assistant',
      created_at: expect.any(Number),
      name: null,
      description: null,
      model: 'gpt-4o',
      instructions: null,
      tools: expect.any(Array),
      tool_resources: {},
      metadata: {},
      temperature: 1,
      top_p: 1,
      response_format: 'auto',
    });
    expect(Number.isInteger(assistant.created_at)).toBe(true);
    expect(Math.abs(assistant.created_at - Date.now() / 1000)).toBeLessThan(5);
    expect(assistant.tools[0].function.strict).toBe(true);
    expect((await request(app.server, 'GET', `/v1/assistants/${assistant.id}`)).body).toEqual(
      assistant,
    );
  });

  it('updates only the given fields and replaces tool_resources', async () => {
    const upload = await multipart(
      { purpose: 'assistants' },
      { name: 'data.csv', content: 'a,b\n1,2\n' },
    );
    const file = (
      await app.server.inject({
        method: 'POST',
        url: '/v1/files',
        headers: { authorization: 'Bearer t', ...upload.headers },
        payload: upload.payload,
      })
    ).json();
    const vectorStore = (await request(app.server, 'POST', '/v1/vector_stores', { name: 'kb' }))
      .body;
    const created = (
      await request(app.server, 'POST', '/v1/assistants', {
        model: 'gpt-4o',
        name: 'A',
        instructions: 'old',
        tool_resources: { code_interpreter: { file_ids: [file.id] } },
        metadata: { a: '1' },
      })
    ).body;
    expect(created.tool_resources).toEqual({ code_interpreter: { file_ids: [file.id] } });
    const updated = await request(app.server, 'POST', `/v1/assistants/${created.id}`, {
      instructions: 'new',
      tool_resources: { file_search: { vector_store_ids: [vectorStore.id] } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'A', instructions: 'new', metadata: { a: '1' } });
    expect(updated.body.tool_resources).toEqual({
      file_search: { vector_store_ids: [vectorStore.id] },
    });
    const cleared = await request(app.server, 'POST', `/v1/assistants/${created.id}`, {
      name: null,
      metadata: null,
    });
    expect(cleared.body).toMatchObject({ name: null, metadata: {} });
  });

  it('deletes, then answers 404', async () => {
    const created = (await request(app.server, 'POST', '/v1/assistants', { model: 'm' })).body;
    const deleted = await request(app.server, 'DELETE', `/v1/assistants/${created.id}`);
    expect(deleted.body).toEqual({ id: created.id, object: 'assistant.deleted', deleted: true });
    const missing = await request(app.server, 'GET', `/v1/assistants/${created.id}`);
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toEqual({
      message: `No assistant found with id '${created.id}'.`,
      type: 'invalid_request_error',
      param: 'assistant_id',
      code: null,
    });
    expect((await request(app.server, 'DELETE', `/v1/assistants/${created.id}`)).status).toBe(404);
  });

  it.each([
    ['an unknown key', { model: 'm', colour: 'red' }, 'colour'],
    ['a missing model', {}, 'model'],
    [
      '17 metadata keys',
      {
        model: 'm',
        metadata: Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v'])),
      },
      'metadata',
    ],
    [
      'a 65-character metadata key',
      { model: 'm', metadata: { ['k'.repeat(65)]: 'v' } },
      'metadata.' + 'k'.repeat(65),
    ],
    [
      'a 513-character metadata value',
      { model: 'm', metadata: { k: 'v'.repeat(513) } },
      'metadata.k',
    ],
    ['a temperature of 3', { model: 'm', temperature: 3 }, 'temperature'],
    ['an unknown tool type', { model: 'm', tools: [{ type: 'browser' }] }, 'tools[0].type'],
    [
      'a bad function name',
      { model: 'm', tools: [{ type: 'function', function: { name: 'has space' } }] },
      'tools[0].function.name',
    ],
    [
      'max_num_results of 51',
      { model: 'm', tools: [{ type: 'file_search', file_search: { max_num_results: 51 } }] },
      'tools[0].file_search.max_num_results',
    ],
    [
      'a bad response_format',
      { model: 'm', response_format: { type: 'xml' } },
      'response_format.type',
    ],
    [
      'two vector stores',
      { model: 'm', tool_resources: { file_search: { vector_store_ids: ['vs_a', 'vs_b'] } } },
      'tool_resources.file_search.vector_store_ids',
    ],
    [
      '21 code_interpreter files',
      {
        model: 'm',
        tool_resources: {
          code_interpreter: { file_ids: Array.from({ length: 21 }, (_, index) => `file-${index}`) },
        },
      },
      'tool_resources.code_interpreter.file_ids',
    ],
    ['a name of the wrong type', { model: 'm', name: 42 }, 'name'],
  ])('rejects %s with a 400 naming the parameter', async (_label, body, param) => {
    const response = await request(app.server, 'POST', '/v1/assistants', body);
    expect(response.status).toBe(400);
    expect(errorOf(response).type).toBe('invalid_request_error');
    expect(errorOf(response).param).toBe(param);
  });

  it('lists with limit, order and cursors, and validates the query', async () => {
    const project = (
      await request(app.server, 'POST', '/v1/organization/projects', { name: 'listing' })
    ).body;
    const headers = { 'openai-project': project.id };
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push(
        (
          await request(
            app.server,
            'POST',
            '/v1/assistants',
            { model: 'm', name: `n${index}` },
            headers,
          )
        ).body.id,
      );
    }
    const first = await request(
      app.server,
      'GET',
      '/v1/assistants?limit=2&order=asc',
      undefined,
      headers,
    );
    expect(first.body.data.map((item: { id: string }) => item.id)).toEqual(ids.slice(0, 2));
    expect(first.body).toMatchObject({
      object: 'list',
      first_id: ids[0],
      last_id: ids[1],
      has_more: true,
    });
    const second = await request(
      app.server,
      'GET',
      `/v1/assistants?limit=2&order=asc&after=${ids[1]}`,
      undefined,
      headers,
    );
    expect(second.body.data.map((item: { id: string }) => item.id)).toEqual(ids.slice(2, 4));
    const newest = await request(app.server, 'GET', '/v1/assistants', undefined, headers);
    expect(newest.body.data[0].id).toBe(ids[4]);
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'order=up', 'foo=1']) {
      expect((await request(app.server, 'GET', `/v1/assistants?${query}`)).status).toBe(400);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.ts';

describe('HTTP behaviour every endpoint shares', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ config: { bodyLimit: 64 * 1024 } });
  });
  afterAll(() => app.destroy());

  it('sends x-request-id and application/json on successes and errors alike', async () => {
    for (const response of [
      await request(app.server, 'GET', '/v1/assistants'),
      await request(app.server, 'GET', '/v1/assistants/asst_missing'),
      await request(app.server, 'GET', '/v1/unknown/route'),
    ]) {
      expect(response.headers['x-request-id']).toMatch(/^req_/);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('runs one request hook on a JSON route in dev mode, and no parsing, validation or send hooks', async () => {
    const routes = app.server.printRoutes({ includeHooks: true, commonPrefix: false });
    // The block of `/messages (POST, GET)`: its hook lines, up to the next route.
    const block = routes.split('/messages (POST, GET)')[1]!.split(/\(HEAD\)|\(GET|\(POST/)[0]!;
    const hooks = [...block.matchAll(/\((\w+)\) \[(.*)\]/g)].map(
      ([, name, functions]) => `${name}: ${functions!.split(',').length}`,
    );
    // onRequest: request id, draining, URL length and the dev-mode guard in one callback. The multipart
    // plugin's async onResponse cleanup is registered around the upload routes only.
    expect(hooks).toEqual(['onRequest: 1']);
  });

  it('runs the multipart plugin (its parser and onResponse hook) on the upload routes only', async () => {
    await app.server.ready();
    const lines = app.server.printRoutes({ includeHooks: true, commonPrefix: false }).split('\n');
    // The hook lines under a route's line, up to the next route's.
    const hooksOf = (route: RegExp): string[] => {
      const start = lines.findIndex((line) => route.test(line));
      expect(start).toBeGreaterThanOrEqual(0);
      const end = lines.findIndex((line, index) => index > start && line.includes('── '));
      return lines.slice(start + 1, end).filter((line) => line.includes('• ('));
    };
    expect(hooksOf(/── \/v1\/files \(/).some((line) => line.includes('(onResponse)'))).toBe(true);
    expect(hooksOf(/── \/v1\/assistants \(/).some((line) => line.includes('(onResponse)'))).toBe(
      false,
    );
    // The root context (every JSON route) has no multipart parser.
    expect(app.server.hasContentTypeParser('multipart/form-data')).toBe(false);
  });

  it('answers unknown routes with a 404 envelope, and a wrong method with a 405 and Allow', async () => {
    const unknown = await request(app.server, 'GET', '/v1/unknown/route');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown)).toEqual({
      message: 'Invalid URL (GET /v1/unknown/route)',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    const response = await request(app.server, 'PUT' as 'POST', '/v1/assistants');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect(errorOf(response)).toEqual({
      message:
        'Method not allowed (PUT /v1/assistants); this path accepts GET, HEAD, OPTIONS, POST.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('rejects malformed JSON, wrong content types and oversized bodies with 4xx envelopes', async () => {
    const malformed = await request(app.server, 'POST', '/v1/assistants', '{"model": "m",');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).message).toMatch(/could not parse the JSON body/);

    const text = await app.server.inject({
      method: 'POST',
      url: '/v1/assistants',
      headers: { 'content-type': 'text/plain' },
      payload: 'model=m',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.type).toBe('invalid_request_error');

    const huge = await request(app.server, 'POST', '/v1/assistants', {
      model: 'm',
      instructions: 'x'.repeat(70 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(errorOf(huge).code).toBe('payload_too_large');

    const array = await request(app.server, 'POST', '/v1/assistants', '[1,2,3]');
    expect(array.status).toBe(400);
    const scalar = await request(app.server, 'POST', '/v1/assistants', '"model"');
    expect(scalar.status).toBe(400);
  });

  it('stores unicode exactly and refuses what cannot be stored faithfully', async () => {
    const name = 'Zoë 🧪 \u{10FFFF} 𝓤𝓷𝓲𝓬𝓸𝓭𝓮 \u200d e\u0301';
    const created = await request(app.server, 'POST', '/v1/assistants', {
      model: 'm',
      name,
      metadata: { ключ: '値' },
    });
    expect(created.status).toBe(200);
    const read = await request(app.server, 'GET', `/v1/assistants/${created.body.id}`);
    expect(read.body.name).toBe(name);
    expect(read.body.metadata).toEqual({ ключ: '値' });

    const nul = await request(
      app.server,
      'POST',
      '/v1/assistants',
      '{"model":"m","name":"a\\u0000b"}',
    );
    expect(nul.status).toBe(400);
    expect(errorOf(nul).param).toBe('name');
    const surrogate = await request(
      app.server,
      'POST',
      '/v1/assistants',
      '{"model":"m","name":"\\ud800"}',
    );
    expect(surrogate.status).toBe(400);
    const proto = await request(
      app.server,
      'POST',
      '/v1/assistants',
      '{"model":"m","metadata":{"__proto__":"x"}}',
    );
    expect(proto.status).toBe(400);
  });

  it('refuses the retired v1 beta header', async () => {
    const response = await request(app.server, 'GET', '/v1/assistants', undefined, {
      'openai-beta': 'assistants=v1',
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).code).toBe('invalid_beta');
  });

  it('serves /health and its own OpenAPI document without a key', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/health' })).json()).toEqual({
      status: 'ok',
    });
    const document = (await app.server.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/v1/threads/{thread_id}/messages'].get.operationId).toBe('listMessages');
    expect(
      document.paths['/v1/assistants'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['model']);
  });
});

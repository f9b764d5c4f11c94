import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { ConfigSchema } from '../config/config-schema.ts';
import { multipart } from '../../test/helpers/multipart.ts';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.ts';

const ADMIN = 'admin-key-for-dev-mode-tests';

interface Sent {
  status: number;
  body: any;
}

async function send(
  app: TestApp,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Sent> {
  const response = await app.server.inject({
    method,
    url,
    headers: {
      authorization: 'Bearer test',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, body: response.json() };
}

async function count(app: TestApp, path: '/v1/assistants' | '/v1/files'): Promise<number> {
  return (await send(app, 'GET', path, { host: '127.0.0.1:8787' })).body.data.length;
}

describe('dev mode (no admin key): Host and Origin checks', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('refuses a non-loopback Host (DNS rebinding) with a 403 envelope, and changes nothing', async () => {
    const before = await count(app, '/v1/assistants');
    for (const host of [
      'evil.example',
      'evil.example:8787',
      '127.evil.example:8787',
      'localhost.evil.example',
      '127.0.0.1.nip.io:8787',
    ]) {
      const read = await send(app, 'GET', '/v1/assistants', { host });
      expect(read.status, host).toBe(403);
      expect(read.body, host).toEqual({
        error: {
          message: expect.stringMatching(/dev mode .* loopback host names/),
          type: 'invalid_request_error',
          param: null,
          code: 'host_not_allowed',
        },
      });
      const write = await send(app, 'POST', '/v1/assistants', { host }, { model: 'm' });
      expect(write.status, host).toBe(403);
    }
    expect(await count(app, '/v1/assistants')).toBe(before);
  });

  it('serves loopback Host names with any port', async () => {
    for (const host of [
      'localhost:8787',
      '127.0.0.1:8787',
      '[::1]:8787',
      'localhost',
      '127.0.0.2:1',
    ])
      expect((await send(app, 'GET', '/v1/assistants', { host })).status, host).toBe(200);
  });

  it('refuses cross-site JSON writes by Origin or Sec-Fetch-Site, and changes nothing', async () => {
    const before = await count(app, '/v1/assistants');
    const host = '127.0.0.1:8787';
    const crossSite: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'http://evil.example:8787' },
      { origin: 'null' },
      { origin: 'http://localhost:3000' }, // another local dev server: same site, not same origin
      { origin: 'http://127.0.0.1:8788' },
      { origin: 'http://localhost:8787' }, // the same server under another name is another origin
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of crossSite) {
      const response = await send(
        app,
        'POST',
        '/v1/assistants',
        { host, ...headers },
        { model: 'm' },
      );
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.body.error.code).toBe('cross_origin_request');
      expect(response.body.error.type).toBe('invalid_request_error');
    }
    expect(await count(app, '/v1/assistants')).toBe(before);

    const assistant = await send(app, 'POST', '/v1/assistants', { host }, { model: 'm' });
    const removed = await send(app, 'DELETE', `/v1/assistants/${assistant.body.id}`, {
      host,
      origin: 'https://evil.example',
    });
    expect(removed.status).toBe(403);
    expect((await send(app, 'GET', `/v1/assistants/${assistant.body.id}`, { host })).status).toBe(
      200,
    );
  });

  it('refuses cross-site multipart form posts (files, threads)', async () => {
    const before = await count(app, '/v1/files');
    const form = await multipart({ purpose: 'assistants' }, { name: 'a.txt', content: 'hello' });
    for (const url of ['/v1/files', '/v1/threads']) {
      const response = await app.server.inject({
        method: 'POST',
        url,
        headers: { host: 'localhost:8787', origin: 'https://evil.example', ...form.headers },
        payload: form.payload,
      });
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.code).toBe('cross_origin_request');
    }
    expect(await count(app, '/v1/files')).toBe(before);
  });

  it('serves same-origin writes (the playground) and writes without Origin (SDKs, curl)', async () => {
    const sameOrigin: Array<Record<string, string>> = [
      { host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787' },
      { host: 'localhost:8787', origin: 'http://localhost:8787' },
      { host: '[::1]:8787', origin: 'http://[::1]:8787' },
      { host: 'localhost', origin: 'http://localhost' },
      { host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'same-origin' },
      { host: '127.0.0.1:8787', 'sec-fetch-site': 'same-origin' },
      { host: '127.0.0.1:8787' },
    ];
    for (const headers of sameOrigin) {
      const response = await send(app, 'POST', '/v1/assistants', headers, { model: 'm' });
      expect(response.status, JSON.stringify(headers)).toBe(200);
    }
    const form = await multipart({ purpose: 'assistants' }, { name: 'a.txt', content: 'hello' });
    const upload = await app.server.inject({
      method: 'POST',
      url: '/v1/files',
      headers: { host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787', ...form.headers },
      payload: form.payload,
    });
    expect(upload.statusCode).toBe(200);
  });

  it('refuses at start a HOST that only looks like loopback', async () => {
    // The check comes before anything is opened, so these apps hold no store or directory to close.
    for (const host of ['127.evil.example', '0.0.0.0', 'localhost.evil.example']) {
      const config = ConfigSchema.parse({
        host,
        databaseUrl: 'sqlite::memory:',
        logLevel: 'silent',
      });
      await expect(createApp(config), host).rejects.toThrow(
        new RegExp(`HOST=${host.replaceAll('.', '\\.')} is not a loopback address`),
      );
    }
  });
});

describe('with an admin key: no Host or Origin check (a browser never sends the key by itself)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ config: { apiKey: ADMIN, host: '0.0.0.0' } });
  });
  afterAll(() => app.destroy());

  it('serves any Host and cross-origin writes that carry the key, and refuses those without it', async () => {
    const headers = { host: 'concierge.example.com', origin: 'https://evil.example' };
    const keyed = await send(
      app,
      'POST',
      '/v1/assistants',
      { ...headers, authorization: `Bearer ${ADMIN}` },
      { model: 'm' },
    );
    expect(keyed.status).toBe(200);
    const unkeyed = await send(
      app,
      'POST',
      '/v1/assistants',
      { ...headers, authorization: '' },
      { model: 'm' },
    );
    expect(unkeyed.status).toBe(401);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import { registerErrorHandling } from './error-handler.ts';
import { staticSitePlugin } from './static-site.ts';

describe('static site serving', () => {
  let root: string;
  let server: FastifyInstance;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'static-site-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><title>site</title><script src="/assets/app-abc123.js"></script>',
    );
    writeFileSync(join(root, 'assets', 'app-abc123.js'), script);
    writeFileSync(join(root, 'assets', 'app-abc123.css'), 'body{}');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = Fastify();
    registerErrorHandling(server);
    await staticSitePlugin({ root, apiPrefixes: ['/v1', '/health'] })(server);
    server.get('/v1/things', async () => ({ ok: true }));
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / with a content security policy that allows only this origin', async () => {
    const response = await server.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.body).toContain('<title>site</title>');
  });

  it('serves assets with their types, year-long immutable caching, and 304 on a matching ETag', async () => {
    const response = await server.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe(script);
    const css = await server.inject({ method: 'GET', url: '/assets/app-abc123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(
      (await server.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type'],
    ).toBe('image/svg+xml');

    const again = await server.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'if-none-match': String(response.headers['etag']) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('compresses with brotli or gzip as the client accepts, to the same bytes', async () => {
    const brotli = await server.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.rawPayload.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(script);
    const gzip = await server.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(script);
  });

  it('answers client routes with index.html, but missing files and API paths with JSON 404s', async () => {
    for (const route of [
      '/threads/thread_abc/runs/run_def',
      '/assistants',
      '/assistants/asst_1?tab=tools',
    ]) {
      const response = await server.inject({ method: 'GET', url: route });
      expect(response.statusCode, route).toBe(200);
      expect(response.body, route).toContain('<title>site</title>');
    }
    for (const path of ['/assets/missing-123.js', '/v1/unknown', '/v1', '/health/extra']) {
      const response = await server.inject({ method: 'GET', url: path });
      expect(response.statusCode, path).toBe(404);
      expect(response.json().error.type, path).toBe('invalid_request_error');
    }
    expect((await server.inject({ method: 'GET', url: '/v1/things' })).json()).toEqual({
      ok: true,
    });
  });

  it('never serves a file outside the root', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
    ]) {
      const response = await server.inject({ method: 'GET', url: path });
      expect(response.body, path).not.toContain('"name"');
    }
  });

  it('refuses to start without a build', () => {
    expect(() => staticSitePlugin({ root: join(root, 'nowhere'), apiPrefixes: [] })).toThrow(
      /playground build is missing/,
    );
  });
});

describe('the playground in the app', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('serves the committed build at / and leaves /v1 and /health as they were', async () => {
    const page = await app.server.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(
      readFileSync(resolve(import.meta.dirname, '../../web/dist/index.html'), 'utf8'),
    );
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    expect((await app.server.inject({ method: 'GET', url: script })).headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await app.server.inject({ method: 'GET', url: '/health' })).json()).toEqual({
      status: 'ok',
    });
    const unknown = await app.server.inject({
      method: 'GET',
      url: '/v1/unknown/route',
      headers: { authorization: 'Bearer x' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('Invalid URL (GET /v1/unknown/route)');
  });

  it('is off with playground: off', async () => {
    const apiOnly = await createTestApp({ config: { playground: 'off' } });
    try {
      expect((await apiOnly.server.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
    } finally {
      await apiOnly.destroy();
    }
  });
});

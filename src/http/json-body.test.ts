import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body.ts';

/** `{"model":"m","metadata":{"k":[[[…]]]}}` with `levels` levels in all, the body itself included. */
function nestedBody(levels: number): string {
  const arrays = levels - 2;
  return `{"model":"m","metadata":{"k":${'['.repeat(arrays)}${']'.repeat(arrays)}}}`;
}

describe('JSON body depth', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('answers JSON nested 100,000 deep with a 400 envelope, anywhere in the body', async () => {
    for (const body of [
      '['.repeat(100_000) + ']'.repeat(100_000),
      nestedBody(100_000),
      `{"model":"m","tools":[{"type":"function","function":{"name":"f","parameters":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}]}`,
    ]) {
      const response = await request(app.server, 'POST', '/v1/assistants', body);
      expect(response.status).toBe(400);
      expect(errorOf(response)).toEqual({
        message: `Invalid body: arrays and objects may be nested at most ${MAX_JSON_DEPTH} levels deep.`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
    }
    const health = await request(app.server, 'GET', '/health');
    expect(health.status).toBe(200);
  });

  it('lets the deepest allowed nesting through to validation', async () => {
    const deepest = await request(app.server, 'POST', '/v1/assistants', nestedBody(MAX_JSON_DEPTH));
    expect(deepest.status).toBe(400);
    expect(errorOf(deepest).param).toBe('metadata.k');
    const deeper = await request(
      app.server,
      'POST',
      '/v1/assistants',
      nestedBody(MAX_JSON_DEPTH + 1),
    );
    expect(errorOf(deeper).message).toMatch(/nested at most/);
  });

  it('walks the deepest allowed attribute filter and tool schema without a 5xx', async () => {
    const store = (await request(app.server, 'POST', '/v1/vector_stores', { name: 'deep' })).body;
    // Each and-level is two JSON levels (the object and its filters array).
    let filter: unknown = { type: 'eq', key: 'k', value: 'v' };
    for (let level = 0; level < (MAX_JSON_DEPTH - 4) / 2; level++)
      filter = { type: 'and', filters: [filter] };
    const search = await request(app.server, 'POST', `/v1/vector_stores/${store.id}/search`, {
      query: 'anything',
      filters: filter,
    });
    expect(search.status).toBe(200);
    expect(search.body.data).toEqual([]);

    let schema: unknown = { type: 'string' };
    for (let level = 0; level < (MAX_JSON_DEPTH - 8) / 2; level++)
      schema = { type: 'object', properties: { a: schema } };
    const assistant = await request(app.server, 'POST', '/v1/assistants', {
      model: 'm',
      tools: [{ type: 'function', function: { name: 'f', parameters: schema } }],
      response_format: { type: 'json_schema', json_schema: { name: 'r', schema } },
    });
    expect(assistant.status).toBeLessThan(500);
  });
});

describe('parseJsonBody', () => {
  // Most bodies skip the walk (no escape, no `__proto__`, few brackets): each way past that shortcut is refused.
  it('refuses what cannot be stored, whether spelled out, escaped or raw', () => {
    const lone = String.fromCharCode(0xd800);
    for (const text of [
      '{"a":"x\\u0000y"}',
      '{"a":"\\ud800"}',
      `{"a":"${lone}"}`,
      '{"__proto__":{"x":1}}',
      '{"\\u005f_proto__":{"x":1}}',
      `{"a":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`,
    ]) {
      expect(() => parseJsonBody(text), text).toThrow(/NUL|surrogate|__proto__|nested/);
    }
  });

  it('accepts the deepest allowed nesting and plain bodies as parsed', () => {
    const deepest = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(JSON.stringify(parseJsonBody(deepest))).toBe(deepest);
    expect(parseJsonBody('{"role":"user","content":"a [long] {text}","proto":"__proto"}')).toEqual({
      role: 'user',
      content: 'a [long] {text}',
      proto: '__proto',
    });
    expect(parseJsonBody('  ')).toBeUndefined();
  });
});

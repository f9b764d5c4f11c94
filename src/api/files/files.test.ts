import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { multipart } from '../../../test/helpers/multipart.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

async function upload(
  app: TestApp,
  fields: Record<string, string>,
  file?: { name: string; content: string | Uint8Array; type?: string },
  headers: Record<string, string> = {},
) {
  const body = await multipart(fields, file);
  const response = await app.server.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { authorization: 'Bearer test', ...body.headers, ...headers },
    payload: body.payload,
  });
  return { status: response.statusCode, body: response.json() };
}

describe('/v1/files', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ config: { fileSizeLimit: 4096 } });
  });
  afterAll(() => app.destroy());

  it('uploads a file, infers its type from the name, and returns the same bytes', async () => {
    const text = '# Handbook\n\nRefunds take 30 days. ☃ \u{1F600}\n';
    const created = await upload(
      app,
      { purpose: 'assistants' },
      { name: 'handbook.md', content: text },
    );
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^file-/),
      object: 'file',
      bytes: Buffer.byteLength(text),
      created_at: expect.any(Number),
      filename: 'handbook.md',
      purpose: 'assistants',
      status: 'processed',
      expires_at: null,
      status_details: null,
    });
    expect((await request(app.server, 'GET', `/v1/files/${created.body.id}`)).body).toEqual(
      created.body,
    );
    const content = await app.server.inject({
      method: 'GET',
      url: `/v1/files/${created.body.id}/content`,
      headers: { authorization: 'Bearer t', accept: 'application/binary' },
    });
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toMatch(/^text\/markdown/);
    expect(content.rawPayload.toString('utf8')).toBe(text);
  });

  it('keeps binary bytes exactly and sets expires_at from expires_after', async () => {
    const bytes = new Uint8Array(256).map((_, index) => index);
    const created = await upload(
      app,
      {
        purpose: 'user_data',
        'expires_after[anchor]': 'created_at',
        'expires_after[seconds]': '3600',
      },
      { name: 'blob.bin', content: bytes },
    );
    expect(created.status).toBe(200);
    expect(created.body.expires_at).toBe(created.body.created_at + 3600);
    const content = await app.server.inject({
      method: 'GET',
      url: `/v1/files/${created.body.id}/content`,
      headers: { authorization: 'Bearer t' },
    });
    expect([...content.rawPayload]).toEqual([...bytes]);
  });

  it.each([
    ['an unknown purpose', { purpose: 'training' }, 'purpose'],
    ['a missing purpose', {}, 'purpose'],
    ['an unknown field', { purpose: 'assistants', colour: 'red' }, 'colour'],
    [
      'expires_after seconds below 3600',
      {
        purpose: 'assistants',
        'expires_after[anchor]': 'created_at',
        'expires_after[seconds]': '60',
      },
      'expires_after[seconds]',
    ],
    [
      'a bad expires_after anchor',
      {
        purpose: 'assistants',
        'expires_after[anchor]': 'last_active_at',
        'expires_after[seconds]': '3600',
      },
      'expires_after[anchor]',
    ],
  ])(
    'rejects %s with a 400 naming the field, and keeps no bytes',
    async (_label, fields, param) => {
      const response = await upload(app, fields, { name: 'a.txt', content: 'hello' });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param });
    },
  );

  it('rejects a missing file and an empty file with clear 400s, and a JSON body with a 415', async () => {
    expect((await upload(app, { purpose: 'assistants' })).body.error).toMatchObject({
      param: 'file',
      message: "Missing required parameter: 'file'.",
    });
    const empty = await upload(app, { purpose: 'assistants' }, { name: 'empty.txt', content: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/empty/);
    const json = await request(app.server, 'POST', '/v1/files', { purpose: 'assistants' });
    expect(json.status).toBe(415);
    expect(errorOf(json).message).toMatch(/multipart\/form-data/);
  });

  it('answers 413 in the OpenAI envelope for a file over the limit, and keeps nothing', async () => {
    const before = (await request(app.server, 'GET', '/v1/files')).body.data.length;
    const response = await upload(
      app,
      { purpose: 'assistants' },
      { name: 'big.txt', content: 'x'.repeat(5000) },
    );
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'file',
      code: 'payload_too_large',
    });
    expect(response.body.error.message).toMatch(/4096 bytes/);
    expect((await request(app.server, 'GET', '/v1/files')).body.data.length).toBe(before);
    const temporary = join(app.config.dataDir, 'blobs', 'tmp');
    expect(existsSync(temporary) ? readdirSync(temporary) : []).toEqual([]);
  });

  it('lists by purpose, order, limit and after', async () => {
    const project = (
      await request(app.server, 'POST', '/v1/organization/projects', { name: 'files-listing' })
    ).body;
    const headers = { 'openai-project': project.id };
    const ids: string[] = [];
    for (const purpose of ['assistants', 'vision', 'assistants', 'batch']) {
      ids.push(
        (await upload(app, { purpose }, { name: `${purpose}.jsonl`, content: '{}' }, headers)).body
          .id,
      );
    }
    const all = await request(app.server, 'GET', '/v1/files', undefined, headers);
    expect(all.body.data.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
    const assistants = await request(
      app.server,
      'GET',
      '/v1/files?purpose=assistants&order=asc',
      undefined,
      headers,
    );
    expect(assistants.body.data.map((item: { id: string }) => item.id)).toEqual([ids[0], ids[2]]);
    const paged = await request(
      app.server,
      'GET',
      `/v1/files?order=asc&limit=2&after=${ids[0]}`,
      undefined,
      headers,
    );
    expect(paged.body).toMatchObject({ has_more: true, first_id: ids[1], last_id: ids[2] });
    expect((await request(app.server, 'GET', '/v1/files?limit=10001')).status).toBe(400);
    // Another project sees none of them.
    expect((await request(app.server, 'GET', `/v1/files/${ids[0]}`)).status).toBe(404);
  });

  it('deletes with object "file", then answers 404 for the file and its content', async () => {
    const created = (
      await upload(app, { purpose: 'assistants' }, { name: 'gone.txt', content: 'bye' })
    ).body;
    const deleted = await request(app.server, 'DELETE', `/v1/files/${created.id}`);
    expect(deleted.body).toEqual({ id: created.id, object: 'file', deleted: true });
    const missing = await request(app.server, 'GET', `/v1/files/${created.id}`);
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toEqual({
      message: `No file found with id '${created.id}'.`,
      type: 'invalid_request_error',
      param: 'file_id',
      code: null,
    });
    expect((await request(app.server, 'GET', `/v1/files/${created.id}/content`)).status).toBe(404);
    expect((await request(app.server, 'DELETE', `/v1/files/${created.id}`)).status).toBe(404);
    expect((await request(app.server, 'GET', '/v1/files/not-a-file')).status).toBe(400);
  });
});

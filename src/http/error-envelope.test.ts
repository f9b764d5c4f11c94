/**
 * Every error the server can send, including Fastify's and Node's own (unknown route, wrong method,
 * URL too long, bad percent-encoding, body too large, wrong content type, malformed or aborted
 * multipart), is the OpenAI envelope `{error:{message,type,param,code}}` with the right 4xx.
 * One listening server for the file; requests go over a real socket so Node's HTTP parser runs too.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app.ts';
import { ConfigSchema } from '../config/config-schema.ts';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.ts';
import { createHttpServer } from './server.ts';
import { multipart } from '../../test/helpers/multipart.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `head` (request line and headers, without the blank line) and `body` as they are. */
function send(port: number, head: string, body: Buffer | string = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [top, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = (top ?? '').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(`${head}\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
    // Not `end()`: Node's server treats a half-closed socket as a client that went away.
    socket.write(body);
  });
}

function jsonRequest(method: string, path: string, body?: string, contentType?: string) {
  const headers = [`${method} ${path} HTTP/1.1`, 'authorization: Bearer test'];
  if (body !== undefined) {
    headers.push(`content-type: ${contentType ?? 'application/json'}`);
    headers.push(`content-length: ${Buffer.byteLength(body)}`);
  }
  return { head: headers.join('\r\n'), body: body ?? '' };
}

interface Case {
  name: string;
  request:
    { head: string; body: Buffer | string } | (() => Promise<{ head: string; body: Buffer }>);
  status: number;
  message?: RegExp;
  /** The error's `param` and `code`; `null` when not given. */
  param?: string;
  code?: string;
  allow?: string;
}

async function multipartRequest(
  fields: Record<string, string>,
  file?: { name: string; content: string },
  mangle: (payload: Buffer) => Buffer = (payload) => payload,
  contentType?: (original: string) => string,
) {
  const form = await multipart(fields, file);
  const payload = mangle(form.payload);
  const type = contentType
    ? contentType(form.headers['content-type']!)
    : form.headers['content-type'];
  return {
    head: [
      'POST /v1/files HTTP/1.1',
      'authorization: Bearer test',
      `content-type: ${type}`,
      `content-length: ${payload.length}`,
    ].join('\r\n'),
    body: payload,
  };
}

const CASES: Case[] = [
  {
    name: 'unknown route under /v1',
    request: jsonRequest('GET', '/v1/no-such-thing'),
    status: 404,
    message: /^Invalid URL \(GET \/v1\/no-such-thing\)$/,
  },
  {
    name: 'known path, wrong method',
    request: jsonRequest('PUT', '/v1/assistants', '{}'),
    status: 405,
    message: /PUT/,
    allow: 'GET, HEAD, OPTIONS, POST',
  },
  {
    name: 'known path with an id, wrong method',
    request: jsonRequest('PATCH', '/v1/assistants/asst_abc', '{}'),
    status: 405,
    allow: 'DELETE, GET, HEAD, OPTIONS, POST',
  },
  {
    name: 'OPTIONS on an unknown route',
    request: jsonRequest('OPTIONS', '/v1/no-such-thing'),
    status: 404,
  },
  {
    name: 'an id of 50 characters is looked up, not refused',
    request: jsonRequest('GET', `/v1/assistants/asst_${'a'.repeat(45)}`),
    status: 404,
    param: 'assistant_id',
    message: /^No assistant found with id 'asst_a+'\.$/,
  },
  {
    name: 'an id longer than any id',
    request: jsonRequest('GET', `/v1/assistants/asst_${'a'.repeat(400)}`),
    status: 414,
    code: 'uri_too_long',
  },
  {
    name: 'URL too long',
    request: jsonRequest('GET', `/v1/assistants?after=${'a'.repeat(9000)}`),
    status: 414,
    code: 'uri_too_long',
  },
  {
    name: 'request line and headers beyond what Node reads',
    request: jsonRequest('GET', `/v1/assistants?after=${'a'.repeat(20_000)}`),
    status: 431,
    code: 'headers_too_large',
  },
  {
    name: 'bad percent-encoding in the path',
    request: jsonRequest('GET', '/v1/assistants/%E0%A4%A'),
    status: 400,
    code: 'invalid_url',
  },
  {
    name: 'bad percent-encoding in the query',
    request: jsonRequest('GET', '/v1/assistants?limit=%ZZ'),
    status: 400,
    param: 'limit',
  },
  {
    name: 'duplicate query parameters',
    request: jsonRequest('GET', '/v1/assistants?limit=1&limit=2'),
    status: 400,
    param: 'limit',
  },
  {
    name: 'invalid JSON',
    request: jsonRequest('POST', '/v1/assistants', '{"model": "m",'),
    status: 400,
    message: /could not parse the JSON body/,
  },
  {
    name: 'empty body with content-type json',
    request: jsonRequest('POST', '/v1/assistants', ''),
    status: 400,
    param: 'model',
  },
  {
    name: 'JSON body over the body limit',
    request: jsonRequest('POST', '/v1/assistants', JSON.stringify({ model: 'x'.repeat(70_000) })),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a content type no endpoint reads',
    request: jsonRequest('POST', '/v1/assistants', 'model=m', 'text/plain'),
    status: 415,
  },
  {
    name: 'multipart sent to a JSON endpoint',
    request: () =>
      multipartRequest({ model: 'm' }).then((form) => ({
        ...form,
        head: form.head.replace('POST /v1/files', 'POST /v1/assistants'),
      })),
    status: 415,
  },
  {
    name: 'JSON sent to the upload endpoint',
    request: jsonRequest('POST', '/v1/files', '{"purpose":"assistants"}'),
    status: 415,
  },
  {
    name: 'invalid chunked encoding',
    request: {
      head: 'POST /v1/assistants HTTP/1.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked',
      body: 'zz\r\n{}\r\n0\r\n\r\n',
    },
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'multipart file over the file size limit',
    request: () =>
      multipartRequest({ purpose: 'assistants' }, { name: 'big.txt', content: 'x'.repeat(5000) }),
    status: 413,
    code: 'payload_too_large',
    param: 'file',
  },
  {
    name: 'multipart with more parts than allowed',
    request: () =>
      multipartRequest(
        Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`field${index}`, 'x'])),
      ),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'multipart without a boundary',
    request: () =>
      multipartRequest(
        { purpose: 'assistants' },
        { name: 'a.txt', content: 'hello' },
        undefined,
        () => 'multipart/form-data',
      ),
    status: 400,
    code: 'invalid_multipart',
  },
  {
    name: 'multipart cut before its closing boundary',
    request: () =>
      multipartRequest({ purpose: 'assistants' }, { name: 'a.txt', content: 'hello' }, (payload) =>
        payload.subarray(0, payload.length - 30),
      ),
    status: 400,
    code: 'invalid_multipart',
  },
  {
    name: 'multipart whose file part has a broken header (the part is skipped)',
    request: () =>
      multipartRequest({ purpose: 'assistants' }, { name: 'a.txt', content: 'hello' }, (payload) =>
        Buffer.from(
          payload.toString('latin1').replace('Content-Disposition:', 'Content-Disposition'),
          'latin1',
        ),
      ),
    status: 400,
    param: 'file',
    message: /^Missing required parameter: 'file'\.$/,
  },
];

describe('one error envelope for every error', () => {
  let app: App;
  let port: number;
  let dataDir: string;
  const logLines: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'concierge-errors-'));
    const config = ConfigSchema.parse({
      port: 0,
      dataDir,
      bodyLimit: 64 * 1024,
      fileSizeLimit: 4096,
      worker: false,
    });
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    app = await createApp(config, {
      store: createSqliteStore(':memory:'),
      logger: { level: 'warn', stream },
    });
    port = Number(new URL(await app.listen()).port);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(CASES)('$name → $status', async (testCase) => {
    const { head, body } =
      typeof testCase.request === 'function' ? await testCase.request() : testCase.request;
    const response = await send(port, head, body);
    expect(response.status).toBe(testCase.status);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const envelope = JSON.parse(response.body);
    expect(Object.keys(envelope)).toEqual(['error']);
    expect(envelope.error).toEqual({
      message: expect.stringMatching(testCase.message ?? /\S/),
      type: 'invalid_request_error',
      param: testCase.param ?? null,
      code: testCase.code ?? null,
    });
    expect(response.headers.allow).toBe(testCase.allow);
  });

  it('answers OPTIONS on a known path with its methods, and HEAD like GET without a body', async () => {
    const options = await send(port, 'OPTIONS /v1/threads/thread_abc/runs HTTP/1.1');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS, POST');

    const head = await send(port, 'HEAD /v1/assistants HTTP/1.1\r\nauthorization: Bearer test');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const missing = await send(port, 'HEAD /v1/no-such-thing HTTP/1.1');
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('');
  });

  it('keeps serving the playground for paths outside /v1', async () => {
    const page = await send(port, 'GET /some/client/route HTTP/1.1');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('survives a client that closes the connection mid-upload, leaving no file and no error log', async () => {
    const form = await multipart(
      { purpose: 'assistants' },
      { name: 'partial.txt', content: 'y'.repeat(3000) },
    );
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /v1/files HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer test\r\ncontent-type: ${form.headers['content-type']}\r\ncontent-length: ${form.payload.length}\r\n\r\n`,
        );
        socket.write(form.payload.subarray(0, 2000), () => setTimeout(() => socket.destroy(), 50));
      });
      socket.on('close', () => resolve());
    });
    // The server is still up and answers; nothing was stored.
    const deadline = Date.now() + 2000;
    let list: RawResponse;
    do {
      list = await send(port, 'GET /v1/files HTTP/1.1\r\nauthorization: Bearer test');
      const partial = readdirSync(join(dataDir, 'blobs', 'tmp'), { recursive: true });
      if (partial.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (Date.now() < deadline);
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).data).toEqual([]);
    const stored = readdirSync(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true });
    expect(stored.filter((entry) => entry.isFile()).map((entry) => entry.name)).toEqual([]);
    expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('logged no error for any of the 4xx answers above', () => {
    expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
  });
});

describe('a request that arrives while the server closes', () => {
  it('gets a 503 in the envelope, after the request in flight is answered', async () => {
    const server = await createHttpServer({
      routes: [],
      authenticator: {
        authenticate: () => Promise.reject(new Error('unused')),
        authenticateCached: () => undefined,
        invalidate() {},
      },
      bodyLimit: 1024,
      logger: false,
    });
    server.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { ok: true };
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as AddressInfo;
    const text = await new Promise<string>((resolve) => {
      let data = '';
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /slow HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
        // A second request on the same (busy, so not idle-closed) connection once closing began.
        setTimeout(() => {
          void server.close();
          socket.write('GET /slow HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
        }, 30);
      });
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
    });
    const [first, second] = text.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/content-type: application\/json; charset=utf-8/i);
    expect(JSON.parse(second!.split('\r\n\r\n')[1]!)).toEqual({
      error: {
        message: 'The server is shutting down; please retry the request.',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
  });
});

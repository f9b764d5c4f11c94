/**
 * An upload refused at one of its parts (a duplicate field, a second file, a file under another name)
 * is answered before the rest of its body is read. The client's next request on the same keep-alive
 * connection must still be answered: one connection per client (an agent with one socket), as a
 * pooled client reusing it would.
 */
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** Sends one request on `agent`; a request left waiting fails the test instead of hanging it. */
function send(agent: Agent, url: string, method: string, body?: string, type?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const headers: Record<string, string> = { authorization: 'Bearer test' };
    if (type) headers['content-type'] = type;
    const pending = httpRequest(url, { agent, method, headers, timeout: 30_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          connection: response.headers.connection,
          body: text,
        }),
      );
    });
    pending.on('timeout', () => {
      pending.destroy();
      reject(new Error(`${method} ${url}: no answer in 30 s on the connection`));
    });
    pending.on('error', reject);
    pending.end(body);
  });
}

const boundary = 'refused-upload-boundary';
const field = (name: string, value: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const file = (name: string, bytes: number) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="a.txt"\r\n` +
  `Content-Type: text/plain\r\n\r\n${'a'.repeat(bytes)}\r\n`;
const end = `--${boundary}--\r\n`;

describe('uploads refused at a part', () => {
  let app: TestApp;
  let baseURL: string;
  beforeAll(async () => {
    ({ app, baseURL } = await createListeningTestApp());
  });
  afterAll(() => app.destroy());

  it('leave their keep-alive connection answering the next request', async () => {
    const container = JSON.parse(
      (
        await send(
          new Agent(),
          `${baseURL}/containers`,
          'POST',
          JSON.stringify({ name: 'uploads' }),
          'application/json',
        )
      ).body,
    ) as { id: string };
    const cases: Array<[path: string, body: string, message: string]> = [
      [
        '/files',
        field('purpose', 'assistants') + field('purpose', 'assistants') + file('file', 2e6) + end,
        "Duplicate form field 'purpose'.",
      ],
      [
        '/files',
        file('file', 1e6) + file('file', 2e6) + field('purpose', 'assistants') + end,
        'Upload exactly one file per request.',
      ],
      ['/files', file('other', 2e6) + end, "Unexpected file field 'other'"],
      [
        `/containers/${container.id}/files`,
        field('file_id', 'file-abc') + file('file', 2e6) + end,
        "Unexpected form field 'file_id'",
      ],
    ];
    for (const [path, body, message] of cases) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const refused = await send(
        agent,
        `${baseURL}${path}`,
        'POST',
        body,
        `multipart/form-data; boundary=${boundary}`,
      );
      expect(refused.status, message).toBe(400);
      expect(JSON.parse(refused.body).error.message).toContain(message);
      const next = await send(agent, `${baseURL}/files`, 'GET');
      expect(next.status, message).toBe(200);
      expect(JSON.parse(next.body).object).toBe('list');
      agent.destroy();
    }
  });
});

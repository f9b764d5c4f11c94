import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  startTestEmbeddingServer,
  TEST_EMBEDDING_MODEL,
} from '../../../test/helpers/embedding-server.ts';
import { createListeningTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { waitFor } from '../../../test/helpers/wait-for.ts';

const MODEL = 'local:use-lite';

function cosine(a: number[], b: number[]): number {
  return a.reduce((sum, value, index) => sum + value * b[index]!, 0);
}

describe('POST /v1/embeddings with the official SDK', () => {
  let app: TestApp;
  let client: OpenAI;

  beforeAll(async () => {
    const listening = await createListeningTestApp({ config: { embeddingModel: MODEL } });
    app = listening.app;
    client = new OpenAI({ baseURL: listening.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  });
  afterAll(() => app.destroy());

  /** Posts a raw body; expects OpenAI's 400 and returns its error object. */
  async function refused(body: unknown): Promise<any> {
    const response = await fetch(`${client.baseURL}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as any;
    expect(error).toMatchObject({ type: 'invalid_request_error' });
    return error;
  }

  it('embeds a string as floats, in OpenAI shape', async () => {
    const response = await client.embeddings.create({
      model: MODEL,
      input: 'How do I get my money back?',
      encoding_format: 'float',
    });
    expect(response).toMatchObject({ object: 'list', model: MODEL });
    expect(response.data).toHaveLength(1);
    expect(response.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(response.data[0]!.embedding).toHaveLength(512);
    expect(Math.hypot(...response.data[0]!.embedding)).toBeCloseTo(1, 4);
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.usage.total_tokens).toBe(response.usage.prompt_tokens);
  });

  it('embeds an array, base64 by default in the SDK, decoded to the same vectors as floats', async () => {
    const input = ['Refunds are issued within 30 days.', 'The museum opens at nine.'];
    const viaBase64 = await client.embeddings.create({ model: MODEL, input });
    const asFloats = await client.embeddings.create({
      model: MODEL,
      input,
      encoding_format: 'float',
    });
    expect(viaBase64.data.map((item) => item.index)).toEqual([0, 1]);
    viaBase64.data.forEach((item, index) => {
      expect(item.embedding).toHaveLength(512);
      expect(cosine(item.embedding, asFloats.data[index]!.embedding)).toBeCloseTo(1, 5);
    });
    const raw = await fetch(`${client.baseURL}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: MODEL, input: 'x', encoding_format: 'base64' }),
    }).then((response) => response.json() as Promise<any>);
    expect(Buffer.from(raw.data[0].embedding, 'base64').byteLength).toBe(512 * 4);
  });

  it.each([
    [{ model: MODEL, input: '' }, 'input'],
    [{ model: MODEL, input: ['fine', ''] }, 'input'],
    [{ model: MODEL, input: [1212, 318] }, 'input'],
    [{ model: MODEL, input: [] }, 'input'],
    [{ model: 'text-embedding-3-small', input: 'hello' }, 'model'],
    [{ model: MODEL, input: 'hello', dimensions: 256 }, 'dimensions'],
    [{ model: MODEL, input: 'hello', encoding_format: 'int8' }, 'encoding_format'],
    [{ model: MODEL }, 'input'],
  ])('refuses %j with a 400 naming %s', async (body, param) => {
    const error = await refused(body);
    expect(error.param).toContain(param);
    expect(error.message).toEqual(expect.any(String));
  });

  it.each([
    // One input over 8192 tokens (" word" is one o200k token).
    [
      'context_length_exceeded',
      { model: MODEL, input: ['short', ' word'.repeat(9000)] },
      "'$.input[1]' is too long",
    ],
    // 40 inputs of 8000 tokens each: 320,000 tokens, over 300,000 a request.
    [
      'max_tokens_per_request',
      { model: MODEL, input: Array.from({ length: 40 }, () => ' word'.repeat(8000)) },
      'max 300000 tokens per request',
    ],
  ])(
    "refuses a request over OpenAI's token limits before embedding it (%s)",
    async (code, body, message) => {
      const error = await refused(body);
      expect(error).toMatchObject({ param: 'input', code });
      expect(error.message).toContain(message);
    },
  );
});

describe('POST /v1/embeddings with embeddings turned off', () => {
  it('says so with a 400', async () => {
    const { app, baseURL } = await createListeningTestApp({ config: { embeddingModel: 'none' } });
    try {
      const client = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
      const failure = await client.embeddings
        .create({ model: MODEL, input: 'hello' })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      expect((failure as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
        'CONCIERGE_EMBEDDING_MODEL=none',
      );
    } finally {
      await app.destroy();
    }
  });
});

describe('POST /v1/embeddings for a client that hangs up', () => {
  it('embeds no more batches once the client has gone', async () => {
    const upstream = await startTestEmbeddingServer();
    const { app, baseURL } = await createListeningTestApp({
      config: { embeddingModel: TEST_EMBEDDING_MODEL, providerBaseUrl: upstream.baseURL },
    });
    try {
      // 1,024 inputs: four batches of 256 for the provider's embedder, one after the other.
      const input = Array.from({ length: 1024 }, (_, index) => `passage number ${index}`);
      const errors = vi.spyOn(app.server.log, 'error');
      const quiet = vi.spyOn(app.server.log, 'debug');
      upstream.hold();
      const request = httpRequest(`${baseURL}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      });
      request.on('error', () => {});
      request.end(JSON.stringify({ model: TEST_EMBEDDING_MODEL, input }));
      await waitFor(async () => upstream.requests === 1, 'the first batch upstream', 10_000);
      request.destroy();
      await waitFor(async () => upstream.abandoned === 1, 'the batch in flight called off', 10_000);
      upstream.release();

      // A request made after it is answered, and the three batches left were never sent.
      const client = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
      const after = await client.embeddings.create({
        model: TEST_EMBEDDING_MODEL,
        input: 'after the client left',
      });
      expect(after.data).toHaveLength(1);
      expect(upstream.requests).toBe(2);
      expect(upstream.embeddedInputs).toBe(256 + 1);
      // The request that stopped is the client's doing, not a server error to log as one.
      expect(errors).not.toHaveBeenCalled();
      expect(quiet).toHaveBeenCalledWith(expect.anything(), 'client closed the connection');
    } finally {
      await app.destroy();
      await upstream.close();
    }
  });
});

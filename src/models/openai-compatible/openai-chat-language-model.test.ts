/**
 * An upstream that answers an error status with a body that never ends: the call fails with the
 * status's error after reading the body's start, and closes the connection (it waited for the end).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCallError } from '../language-model.ts';
import { OpenAIChatLanguageModel } from './openai-chat-language-model.ts';
import { HI_REQUEST } from '../../../test/helpers/model-request.ts';

describe('the OpenAI-compatible chat model', () => {
  let baseURL: string;
  let closed: Promise<void>;
  const server = createServer((_request, response: ServerResponse) => {
    closed = new Promise((resolve) => response.once('close', () => resolve()));
    response.writeHead(503, { 'content-type': 'text/plain' });
    const chunk = 'overloaded '.repeat(1000);
    const timer = setInterval(() => response.write(chunk), 5);
    response.once('close', () => clearInterval(timer));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('fails an error status whose body never ends, and hangs up', async () => {
    const model = new OpenAIChatLanguageModel({ baseURL, modelId: 'm' });
    const parts = model.stream(HI_REQUEST, new AbortController().signal);
    const error = await (async () => {
      for await (const _ of parts) void _;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as ModelCallError).message).toMatch(/overloaded/);
    await closed;
  });
});

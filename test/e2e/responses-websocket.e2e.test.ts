/**
 * The WebSocket mode of `/v1/responses`, driven by the official SDK's `ResponsesWS` against a
 * listening server with an admin key: several responses on one socket (a function call answered with
 * `previous_response_id` on the next one; `store: false` ones chained from the socket's memory), the events gap-free and the same as the response's SSE
 * stream (one translation of the stored run events; validated against the schemas there), lanes (`stream_id`) echoed, the response stored with the key's project, bad messages
 * answered with `error` events on a socket that stays open, and a wrong key closing the socket.
 */
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import type { ResponsesServerEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

const ADMIN_KEY = 'sk-admin-websocket';
type ServerEvent = ResponsesServerEvent & { stream_id?: string };
const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete', 'error']);

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

/** A socket whose events (errors included) are collected; `take` waits for the next ones. */
function openSocket(client: OpenAI) {
  const socket = new ResponsesWS(client);
  const received: ServerEvent[] = [];
  let wake: (() => void) | undefined;
  socket.on('event', (event) => {
    received.push(event);
    wake?.();
  });
  // An `error` event is also raised as a WebSocketError; it is asserted from `received`.
  socket.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason })),
  );
  let taken = 0;
  /** The events after those already taken, through the `count`-th one that ends a response. */
  async function take(count = 1): Promise<ServerEvent[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const fresh = received.slice(taken);
      let ends = 0;
      const end = fresh.findIndex((event) => TERMINAL.has(event.type) && ++ends === count);
      if (end !== -1) {
        taken += end + 1;
        return fresh.slice(0, end + 1);
      }
      if (Date.now() > deadline) throw new Error(`waiting: ${JSON.stringify(fresh)}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  }
  return { socket, take, closed };
}

/** The text of a response's messages (`output_text` is the SDK's addition to parsed responses). */
function textOf(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

function expectOneResponse(events: ServerEvent[]) {
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
  const last = events.at(-1)!;
  expect(last.type).toBe('response.completed');
  return (last as OpenAI.Responses.ResponseCompletedEvent).response;
}

describe.each(testDatabases)('the Responses API over a WebSocket (ResponsesWS, %s)', (database) => {
  let bed: RunTestBed;
  let admin: OpenAI;

  beforeAll(async () => {
    bed = await createRunTestBed({ database, config: { apiKey: ADMIN_KEY } });
    admin = new OpenAI({ baseURL: bed.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  afterAll(() => bed.close());

  it('serves several responses on one socket, chained by previous_response_id, in the project of the key', async () => {
    const project = await admin.post<{ id: string }>('/organization/projects', {
      body: { name: 'websocket' },
    });
    const key = await admin.post<{ value: string }>(
      `/organization/projects/${project.id}/api_keys`,
      { body: { name: 'ws' } },
    );
    const client = new OpenAI({ baseURL: bed.baseURL, apiKey: key.value, maxRetries: 0 });
    const { socket, take } = openSocket(client);

    bed.upstream.enqueue({
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_oslo' }],
    });
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      input: 'Weather in Oslo?',
      tools: [weather],
    });
    const first = expectOneResponse(await take());
    expect(first.output).toMatchObject([
      { type: 'function_call', call_id: 'call_oslo', name: 'get_weather' },
    ]);

    bed.upstream.enqueue({ text: 'Cold in Oslo.' });
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_oslo', output: '-5C' }],
    });
    const events = await take();
    const second = expectOneResponse(events);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(textOf(second)).toBe('Cold in Oslo.');
    expect(bed.upstream.lastRequest.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_oslo',
      content: '-5C',
    });

    // Stored as over HTTP, in the key's project: the same object, and not found elsewhere.
    const { output_text: _text, ...stored } = await client.responses.retrieve(second.id);
    expect(stored).toEqual(second);
    const overSse: ServerEvent[] = [];
    for await (const event of await client.responses.retrieve(second.id, { stream: true }))
      overSse.push(event);
    expect(overSse).toEqual(events);
    await expect(admin.responses.retrieve(second.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    socket.close();
  });

  it('chains store:false responses on one socket from its memory, and nowhere else', async () => {
    const { socket, take } = openSocket(admin);
    bed.upstream.enqueue({
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_unstored' }],
    });
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      store: false,
      input: 'Weather in Oslo?',
      tools: [weather],
    });
    const first = expectOneResponse(await take());
    expect(first).toMatchObject({ store: false });

    // Only the new input is sent: the call before it is remembered by this socket.
    bed.upstream.enqueue({ text: 'Cold in Oslo.' });
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      store: false,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_unstored', output: '-5C' }],
    });
    const second = expectOneResponse(await take());
    expect(second.previous_response_id).toBe(first.id);
    expect(bed.upstream.lastRequest.messages).toMatchObject([
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', tool_calls: [{ id: 'call_unstored' }] },
      { role: 'tool', tool_call_id: 'call_unstored', content: '-5C' },
    ]);

    // A stored response may follow an unstored one: it keeps the items before it.
    bed.upstream.enqueue({ text: 'Wear a coat.' });
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      previous_response_id: second.id,
      input: 'What should I wear?',
    });
    const third = expectOneResponse(await take());
    const threeTurns = [
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', tool_calls: [{ id: 'call_unstored' }] },
      { role: 'tool', tool_call_id: 'call_unstored', content: '-5C' },
      { role: 'assistant', content: 'Cold in Oslo.' },
      { role: 'user', content: 'What should I wear?' },
    ];
    expect(bed.upstream.lastRequest.messages).toMatchObject(threeTurns);

    // Nothing unstored can be read back, or chained from over HTTP or another socket.
    for (const id of [first.id, second.id])
      await expect(admin.responses.retrieve(id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      admin.responses.create({ model: 'gpt-4o', previous_response_id: second.id, input: 'x' }),
    ).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
    const other = openSocket(admin);
    other.socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      store: false,
      previous_response_id: second.id,
      input: 'Still there?',
    });
    expect((await other.take())[0]).toMatchObject({
      type: 'error',
      status: 404,
      param: 'previous_response_id',
    });
    other.socket.close();

    // The stored one chains over HTTP with the whole history, after the socket is gone.
    socket.close();
    bed.upstream.enqueue({ text: 'And a hat.' });
    const fourth = await admin.responses.create({
      model: 'gpt-4o',
      previous_response_id: third.id,
      input: 'Anything else?',
    });
    expect(fourth.output_text).toBe('And a hat.');
    expect(bed.upstream.lastRequest.messages).toMatchObject([
      ...threeTurns,
      { role: 'assistant', content: 'Wear a coat.' },
      { role: 'user', content: 'Anything else?' },
    ]);
  });

  it('runs lanes (stream_id) side by side and echoes each lane on its events', async () => {
    bed.upstream.respondWith((body) => ({
      text: JSON.stringify(body.messages).includes('lane a') ? 'Answer A' : 'Answer B',
    }));
    const { socket, take } = openSocket(admin);
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      input: 'lane a',
      stream_id: 'a',
    } as OpenAI.Responses.ResponsesClientEvent);
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      input: 'lane b',
      stream_id: 'b',
    } as OpenAI.Responses.ResponsesClientEvent);
    const events = await take(2);
    for (const [lane, text] of [
      ['a', 'Answer A'],
      ['b', 'Answer B'],
    ] as const) {
      const response = expectOneResponse(events.filter((event) => event.stream_id === lane));
      expect(textOf(response)).toBe(text);
    }
    expect(events.every((event) => event.stream_id !== undefined)).toBe(true);
    socket.close();
  });

  it('answers bad messages with error events and keeps the socket open', async () => {
    const { socket, take } = openSocket(admin);
    socket.sendRaw('{not json');
    socket.send({ type: 'response.cancel' } as unknown as OpenAI.Responses.ResponsesClientEvent);
    socket.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', temperature: 7 });
    socket.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', background: true });
    socket.send({
      type: 'response.create',
      model: 'gpt-4o',
      input: 'hi',
      previous_response_id: 'resp_doesnotexist',
    });
    const errors = await take(5);
    expect(errors.map((event) => event.type)).toEqual(Array(5).fill('error'));
    expect(errors.map((event) => (event as { status?: number }).status)).toEqual([
      400, 400, 400, 400, 404,
    ]);
    expect(errors.map((event) => (event as OpenAI.Responses.ResponseErrorEvent).param)).toEqual([
      null,
      'type',
      'temperature',
      'background',
      'previous_response_id',
    ]);
    expect(errors[0]).toMatchObject({
      code: 'invalid_json',
      error: { type: 'invalid_request_error', code: 'invalid_json' },
    });

    bed.upstream.enqueue({ text: 'Still here.' });
    socket.send({ type: 'response.create', model: 'gpt-4o', input: 'hi' });
    expect(textOf(expectOneResponse(await take()))).toBe('Still here.');
    socket.close();
  });

  it('closes the socket with an error event for a wrong key', async () => {
    const wrong = new OpenAI({ baseURL: bed.baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
    const { take, closed } = openSocket(wrong);
    const [event] = await take();
    expect(event).toMatchObject({
      type: 'error',
      status: 401,
      error: { type: 'invalid_request_error', code: 'invalid_api_key' },
    });
    expect((await closed).code).toBe(1008);
  });
});

describe('the WebSocket mode in dev mode (no admin key)', () => {
  let bed: RunTestBed;
  beforeAll(async () => {
    bed = await createRunTestBed();
  });
  afterAll(() => bed.close());

  /** Opens a raw socket with these headers: the status of a refused handshake, or 101. */
  function handshake(path: string, headers: Record<string, string>): Promise<number> {
    const url = `${bed.baseURL.replace(/^http/, 'ws')}${path}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', reject);
    });
  }

  it('refuses a handshake from another web origin, and an unknown path, in HTTP', async () => {
    expect(await handshake('/responses', { origin: 'http://evil.example' })).toBe(403);
    expect(await handshake('/nothing-here', {})).toBe(404);
    expect(await handshake('/responses', {})).toBe(101);
  });
});

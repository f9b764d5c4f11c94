/**
 * The SSE writer over a real socket whose client reads slowly: every write that finds the socket full
 * waits for it to drain, and that wait leaves nothing behind on the stream's abort signal once it is
 * over (a long stream to a slow reader would gather a listener per full write, and Node's warning
 * past ten). Listeners are counted, not timed.
 */
import { getEventListeners } from 'node:events';
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEventStream, type ServerSentEvent } from './sse.ts';

const FRAMES = 64;
const FRAME_DATA = JSON.stringify('x'.repeat(64 * 1024));

/** The parts of a Fastify reply the writer uses. */
const replyOf = (response: ServerResponse) =>
  ({
    raw: response,
    request: { id: 'req_test', log: { error() {} } },
    hijack() {},
    getHeaders: () => ({}),
  }) as unknown as FastifyReply;

describe('sendEventStream to a slow reader', () => {
  let server: Server;
  let port: number;
  /** The most abort listeners the stream's signal held while the source was read. */
  let mostListeners = 0;

  beforeAll(async () => {
    server = createServer((incoming, response) => {
      void sendEventStream(
        replyOf(response),
        async function* (signal): AsyncIterable<ServerSentEvent> {
          for (let index = 0; index < FRAMES; index++) {
            mostListeners = Math.max(mostListeners, getEventListeners(signal, 'abort').length);
            yield { event: 'thread.message.delta', data: FRAME_DATA, id: index };
          }
        },
      );
      incoming.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A server whose handlers the test sets per request. */
  const gone = createServer();
  let goneport = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    goneport = (gone.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => gone.close(() => resolve())));

  it('waits for each drain without keeping a listener per full write', async () => {
    const response = await new Promise<IncomingMessage>((resolve) =>
      request({ port, path: '/' }, resolve).end(),
    );
    let bytes = 0;
    // Read a chunk, then pause, so the server's socket fills again and again.
    for await (const chunk of response) {
      bytes += (chunk as Buffer).length;
      response.pause();
      await new Promise((resolve) => setTimeout(resolve, 2));
      response.resume();
    }
    expect(bytes).toBeGreaterThan(FRAMES * 64 * 1024);
    expect(mostListeners).toBeLessThanOrEqual(1);
  });

  it('ends at once, aborting its source, when the client left before the stream began', async () => {
    let aborted: boolean | undefined;
    let ended!: Promise<unknown>;
    const left = new Promise<void>((resolve) => {
      gone.once('request', (incoming: IncomingMessage, response: ServerResponse) => {
        // The client hangs up while the request is still being served (a run being created).
        response.once('close', () => {
          ended = sendEventStream(replyOf(response), async function* (signal) {
            try {
              for (let index = 0; index < FRAMES; index++)
                yield { event: 'thread.message.delta', data: FRAME_DATA, id: index };
            } finally {
              aborted = signal.aborted;
            }
          });
          resolve();
        });
        incoming.resume();
      });
    });
    const client = request({ port: goneport, path: '/', method: 'POST' });
    client.on('error', () => {});
    client.write('{');
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.destroy();
    await left;
    await ended;
    expect(aborted).toBe(true);
  });
});

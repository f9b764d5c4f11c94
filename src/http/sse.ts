/**
 * The one SSE writer: `event:`/`id:`/`data:` frames of already-serialized JSON, `: keepalive` comments
 * while idle, `event: done` / `data: [DONE]` at the end, and an `error` event (OpenAI's Error fields,
 * plus the same under `error`, which SDK 6 needs to raise an APIError) if the source fails mid-stream.
 */
import type { FastifyReply } from 'fastify';
import { clientLeft } from './client-gone.ts';
import { errorBody, toApiError } from './error-handler.ts';

export interface ServerSentEvent {
  event: string;
  /** The event's data as JSON text. */
  data: string;
  /** Written as the SSE `id:` so a client can resume with `Last-Event-ID`. */
  id?: number;
}

const KEEPALIVE_MS = 15_000;

function frame(event: ServerSentEvent): string {
  return `event: ${event.event}\n${event.id !== undefined ? `id: ${event.id}\n` : ''}data: ${event.data}\n\n`;
}

/** How a stream ends; OpenAI's framing by default. Other protocols (A2A's JSON-RPC streams) set their own. */
export interface EventStreamFraming {
  /** Written after the last event; `null` writes nothing. Default: `event: done` / `data: [DONE]`. */
  end?: string | null;
  /** The event sent when the source fails mid-stream. Default: OpenAI's `error` event. */
  errorEvent?: (error: unknown) => ServerSentEvent;
}

function openAiErrorEvent(error: unknown): ServerSentEvent {
  const body = errorBody(toApiError(error));
  return { event: 'error', data: JSON.stringify({ ...body.error, ...body }) };
}

/** The `x-ratelimit-*` headers already set on the reply (the request limiter sets them). */
function rateLimitHeadersOf(reply: FastifyReply): Record<string, string> {
  return Object.fromEntries(
    Object.entries(reply.getHeaders()).flatMap(([name, value]) =>
      name.startsWith('x-ratelimit-') ? [[name, String(value)]] : [],
    ),
  );
}

/**
 * Streams `events` to the client and ends with `done`. Resolves when the stream is over or the client
 * went away (then `signal`, handed to the source, is aborted). A source of other items passes
 * `toEvent`, called once per item as it is written (cheaper than an async generator that maps them:
 * no promise and no turn of the event loop per event).
 */
export async function sendEventStream(
  reply: FastifyReply,
  source: (signal: AbortSignal) => AsyncIterable<ServerSentEvent>,
  framing?: EventStreamFraming,
): Promise<FastifyReply>;
export async function sendEventStream<Item>(
  reply: FastifyReply,
  source: (signal: AbortSignal) => AsyncIterable<Item>,
  framing: EventStreamFraming,
  toEvent: (item: Item) => ServerSentEvent,
): Promise<FastifyReply>;
export async function sendEventStream(
  reply: FastifyReply,
  source: (signal: AbortSignal) => AsyncIterable<unknown>,
  framing: EventStreamFraming = {},
  toEvent: (item: unknown) => ServerSentEvent = (item) => item as ServerSentEvent,
): Promise<FastifyReply> {
  const end = framing.end === undefined ? 'event: done\ndata: [DONE]\n\n' : framing.end;
  const controller = new AbortController();
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': reply.request.id,
    ...rateLimitHeadersOf(reply),
  });
  const onClose = () => controller.abort();
  raw.on('close', onClose);
  // A client that left while the request was served (a run being created) closed the response
  // before this listener: its close will not come again, and nothing written would drain.
  if (clientLeft(raw)) controller.abort();
  const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  // Frames written in the same tick (a batch of events delivered at once) leave in one syscall.
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  // A promise only when the socket is full (the common write returns nothing to wait for).
  const write = (text: string): Promise<void> | undefined => {
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    if (raw.write(text) || controller.signal.aborted) return undefined;
    // Whichever comes first takes both listeners off: a long stream to a slow reader fills the
    // socket again and again.
    return new Promise<void>((resolve) => {
      const done = () => {
        raw.off('drain', done);
        controller.signal.removeEventListener('abort', done);
        resolve();
      };
      raw.once('drain', done);
      controller.signal.addEventListener('abort', done, { once: true });
    });
  };
  try {
    for await (const item of source(controller.signal)) {
      if (controller.signal.aborted) break;
      const full = write(frame(toEvent(item)));
      if (full) await full;
    }
    if (!controller.signal.aborted && end !== null) await write(end);
  } catch (error) {
    if (!controller.signal.aborted) {
      if (toApiError(error).kind === 'server')
        reply.request.log.error({ err: error }, 'stream failed');
      await write(frame((framing.errorEvent ?? openAiErrorEvent)(error)));
    }
  } finally {
    clearInterval(keepalive);
    // The stream is over: the close that ending it causes aborts nothing (an abort builds a
    // DOMException, a visible cost per stream).
    raw.off('close', onClose);
    raw.end();
  }
  return reply;
}

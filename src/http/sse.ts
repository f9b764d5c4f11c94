/**
 * The one SSE writer: `event:`/`id:`/`data:` frames of already-serialized JSON, `: keepalive` comments
 * while idle, `event: done` / `data: [DONE]` at the end, and an `error` event (OpenAI's Error fields,
 * plus the same under `error`, which SDK 6 needs to raise an APIError) if the source fails mid-stream.
 */
import type { ServerResponse } from 'node:http';
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
 * Writes the frames of one turn of the event loop (a batch of events delivered at once) as one chunk
 * of the response's chunked encoding, in one socket write. `ServerResponse.write` sends each call as
 * three pieces (its size, the text, a CRLF) through the socket's `writev`, which costs more CPU per
 * frame than the frame's own bytes (bench/README.md, `sqlitecpu3`): once the response's head is out
 * (the first chunk goes through `ServerResponse.write`, which sends it), chunks are framed here and
 * written to the socket directly, in the same order. A response without a socket of its own (one
 * queued behind another on its connection) or without chunked encoding (an HTTP/1.0 client) goes
 * through `ServerResponse.write` throughout.
 */
class FrameWriter {
  private pending = '';
  private scheduled = false;
  /** The head and every chunk so far went to the response's socket: later chunks may follow them. */
  private direct = false;
  private drained: Promise<void> | undefined;

  constructor(
    private readonly raw: ServerResponse,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Queues `text` for this turn's write. A promise only when the socket is full (the common write
   * returns nothing to wait for).
   */
  write(text: string): Promise<void> | undefined {
    this.pending += text;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
    return this.drained;
  }

  /** Writes what is queued now. */
  readonly flush = (): void => {
    this.scheduled = false;
    const text = this.pending;
    this.pending = '';
    const { raw, signal } = this;
    if (text === '' || signal.aborted || raw.destroyed) return;
    const socket = raw.socket;
    let emitter: NodeJS.EventEmitter;
    let room: boolean;
    if (this.direct && socket !== null && !socket.destroyed) {
      room = socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
      emitter = socket;
    } else {
      // Written to the socket at once (head first) only when the response holds it.
      this.direct = socket !== null && raw.chunkedEncoding;
      room = raw.write(text);
      emitter = raw;
    }
    if (room || this.drained) return;
    // Whichever comes first takes both listeners off: a long stream to a slow reader fills the
    // socket again and again.
    this.drained = new Promise<void>((resolve) => {
      const done = () => {
        emitter.off('drain', done);
        signal.removeEventListener('abort', done);
        this.drained = undefined;
        resolve();
      };
      emitter.once('drain', done);
      signal.addEventListener('abort', done, { once: true });
    });
  };
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
  const frames = new FrameWriter(raw, controller.signal);
  const write = (text: string) => frames.write(text);
  const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
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
    // The last frames and the encoding's end leave together: `end` uncorks the socket fully.
    raw.socket?.cork();
    frames.flush();
    raw.end();
  }
  return reply;
}

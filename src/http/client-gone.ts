/**
 * Whether a client is still there to answer. A request's own `close` event is no guide: Node emits it
 * once the body has been read, client there or not. The response's `close` before it ended is the
 * client leaving, and a response whose socket is already gone was left before anyone listened.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/** The client closed the connection before this response ended. */
export function clientLeft(raw: ServerResponse): boolean {
  return !raw.writableEnded && (raw.destroyed || raw.socket?.destroyed === true);
}

/** A signal aborted when the client leaves before `reply` ends (at once if it has already left). */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const raw = reply.raw;
  raw.once('close', () => {
    if (!raw.writableEnded) controller.abort();
  });
  if (clientLeft(raw)) controller.abort();
  return controller.signal;
}

/**
 * A signal for work done on behalf of one request: it aborts when the client closes the connection
 * before the response has been sent, so nobody waits for what the work would produce. It listens on
 * the response: the request emits `close` as soon as its body has been read, long before.
 */
import type { FastifyReply } from 'fastify';

export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  const onClose = () => {
    if (!response.writableEnded) controller.abort();
  };
  if (response.destroyed) onClose();
  else response.once('close', onClose);
  return controller.signal;
}

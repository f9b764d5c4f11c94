/**
 * WebSocket endpoints on the HTTP server's port. An upgrade to a declared path passes the same
 * dev-mode checks as any request (its origin always checked: browsers let any page open a socket)
 * and the same authentication; a caller that fails authentication gets the socket, one `error`
 * event saying why, and a close with 1008 (policy violation), so a client sees OpenAI's message and
 * not a bare handshake failure. An unknown path or a refused origin is answered in HTTP. Each message
 * to a project endpoint counts as a request against the caller's limits, as an HTTP request does:
 * one over the limit is answered with a 429 `error` event and not handed to the endpoint.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';
import { InvalidRequestError, NotFoundError } from '../domain/errors.ts';
import type { Authenticator } from './auth.ts';
import { checkDevModeRequest } from './dev-mode-guard.ts';
import { errorBody, statusOf, toApiError } from './error-handler.ts';
import type { RequestLimiter } from './request-limits.ts';
import type { Principal, RouteAccess } from './route.ts';
import type { SocketConnection, SocketRouteDefinition } from './socket-route.ts';

export interface WebSocketOptions {
  routes: SocketRouteDefinition[];
  authenticator: Authenticator;
  devMode: boolean;
  /** The largest message accepted (the HTTP body limit); a larger one closes the socket (1009). */
  maxPayload: number;
  /** Counts each message of a project endpoint against its limits; absent: no limits. */
  limiter?: RequestLimiter | undefined;
}

/** Pings keep idle connections open through proxies, as SSE keepalive comments do. */
const PING_MS = 15_000;
/** Above this many unsent bytes, `send` waits for the socket before the next event. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** How long a shutdown waits for clients to answer the close frame before dropping them. */
const CLOSE_GRACE_MS = 2_000;
const POLICY_VIOLATION = 1008;
const GOING_AWAY = 1001;

/**
 * The error event: OpenAI's WebSocket shape (`status`, and the envelope's `error`), with `message`,
 * `code` and `param` at the top level too, where the SDK's `ResponseErrorEvent` type reads them.
 */
export function errorEvent(error: unknown): Record<string, unknown> {
  const apiError = toApiError(error);
  const body = errorBody(apiError);
  const { message, code, param } = body.error;
  return { type: 'error', status: statusOf(apiError), message, code, param, ...body };
}

function refuse(socket: Duplex, error: unknown): void {
  const apiError = toApiError(error);
  const status = statusOf(apiError);
  const body = JSON.stringify(errorBody(apiError));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * @param wire the upgraded TCP socket under `socket`: messages sent in the same tick (a batch of
 *   events delivered at once) are corked into one write, as the SSE writer does.
 */
function connectionOf(
  socket: WebSocket,
  wire: Duplex,
  principal: Principal,
  app: FastifyInstance,
  limiter: RequestLimiter | undefined,
): SocketConnection {
  const controller = new AbortController();
  const ping = setInterval(() => socket.ping(), PING_MS);
  ping.unref();
  socket.on('close', () => {
    clearInterval(ping);
    controller.abort();
  });
  socket.on('error', (error) => app.log.debug({ err: error }, 'websocket error'));
  let corked = false;
  const uncork = () => {
    corked = false;
    wire.uncork();
  };
  const send = async (event: object) => {
    if (socket.readyState !== socket.OPEN) return;
    const text = JSON.stringify(event);
    if (!corked) {
      corked = true;
      wire.cork();
      process.nextTick(uncork);
    }
    if (socket.bufferedAmount < HIGH_WATER_BYTES) return socket.send(text);
    await new Promise<void>((resolve) => socket.send(text, () => resolve()));
  };
  const sendError = (error: unknown, extra: Record<string, unknown> = {}) => {
    if (toApiError(error).kind === 'server') app.log.error({ err: error }, 'websocket failed');
    return send({ ...errorEvent(error), ...extra });
  };
  // Messages are counted one after the other, so they reach the endpoint in the order they came.
  let counted = Promise.resolve();
  return {
    principal,
    signal: controller.signal,
    log: app.log,
    send,
    sendError,
    onMessage(handler) {
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          void send(errorEvent(new InvalidRequestError('Messages must be JSON text frames.')));
          return;
        }
        const text = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString();
        if (!limiter) return handler(text);
        const countThenHandle = async (): Promise<void> => {
          try {
            await limiter(principal);
          } catch (error) {
            return sendError(error);
          }
          handler(text);
        };
        counted = counted.then(countThenHandle);
      });
    },
  };
}

/** Whether requests to an endpoint of this access count against the caller's limits. */
const counts = (access: RouteAccess | undefined) => (access ?? 'project') === 'project';

/**
 * Serves `routes` on `app`'s port; sockets still open when the server closes are closed with 1001.
 * The ws package loads with the first upgrade, not at start.
 */
export function registerWebSockets(app: FastifyInstance, options: WebSocketOptions): void {
  if (options.routes.length === 0) return;
  const byPath = new Map(options.routes.map((route) => [route.path, route]));
  let server: WebSocketServer | undefined;
  let opening: Promise<WebSocketServer> | undefined;
  const openServer = () =>
    (opening ??= import('ws').then(
      ({ WebSocketServer: Server }) =>
        (server = new Server({ noServer: true, maxPayload: options.maxPayload })),
    ));

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = (request.url ?? '').split('?')[0]!.replace(/(.)\/+$/, '$1');
    const route = byPath.get(path);
    if (!route) return refuse(socket, new NotFoundError(`No WebSocket endpoint at ${path}.`));
    try {
      if (options.devMode) checkDevModeRequest(request, true);
    } catch (error) {
      return refuse(socket, error);
    }
    let principal: Principal | undefined;
    let failure: unknown;
    try {
      principal = await options.authenticator.authenticate(request, route.access ?? 'project');
    } catch (error) {
      failure = error;
    }
    (await openServer()).handleUpgrade(request, socket, head, (websocket) => {
      if (!principal) {
        websocket.send(JSON.stringify(errorEvent(failure)));
        websocket.close(POLICY_VIOLATION, toApiError(failure).code ?? 'unauthorized');
        return;
      }
      const limiter = counts(route.access) ? options.limiter : undefined;
      route.open(connectionOf(websocket, socket, principal, app, limiter));
    });
  }

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgrade(request, socket, head).catch((error: unknown) => {
      app.log.error({ err: error }, 'websocket upgrade failed');
      socket.destroy();
    });
  });
  app.addHook('preClose', (done) => {
    const clients = server?.clients ?? new Set<WebSocket>();
    for (const client of clients) client.close(GOING_AWAY, 'server shutting down');
    const timer = setTimeout(() => {
      for (const client of clients) client.terminate();
    }, CLOSE_GRACE_MS);
    timer.unref();
    done();
  });
}

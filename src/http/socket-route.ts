/**
 * A WebSocket endpoint, declared as data like the HTTP routes: its path, who may open it, and what
 * to do with an authenticated connection. `websocket-server.ts` does the upgrade, the dev-mode
 * checks and authentication; the endpoint only sees JSON messages and sends events.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Principal, RouteAccess } from './route.ts';

/** An open, authenticated connection, as its endpoint sees it. */
export interface SocketConnection {
  principal: Principal;
  /** Aborted when the connection closes (either side) or the server shuts down. */
  signal: AbortSignal;
  log: FastifyBaseLogger;
  /** Sends one JSON event; resolves at once unless the client is slow to read (backpressure). */
  send(event: object): Promise<void>;
  /** Sends an error event in the OpenAI envelope (`type: "error"`, `status`, `error`), plus `extra`. */
  sendError(error: unknown, extra?: Record<string, unknown>): Promise<void>;
  /** Called with each text message; binary messages are answered with an error event. */
  onMessage(handler: (text: string) => void): void;
}

export interface SocketRouteDefinition {
  /** The exact path, e.g. `/v1/responses` (a GET with `Upgrade: websocket`). */
  path: string;
  summary: string;
  access?: RouteAccess;
  /** Called once per connection, after authentication succeeded. */
  open(connection: SocketConnection): void;
}

/** Declares a WebSocket endpoint (the identity function, like `defineRoute`). */
export function defineSocketRoute(definition: SocketRouteDefinition): SocketRouteDefinition {
  return definition;
}

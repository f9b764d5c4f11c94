/**
 * The Fastify server: request ids, body parsing, auth, validation and error mapping around the
 * declared routes. It knows nothing about any resource; `src/app.ts` hands it the route list.
 */
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { newId } from '../domain/ids.ts';
import {
  InvalidRequestError,
  UnsupportedMediaTypeError,
  UriTooLongError,
} from '../domain/errors.ts';
import { JsonText } from '../domain/json-text.ts';
import { isPromise } from '../domain/maybe-promise.ts';
import { createAllowedMethods } from './allowed-methods.ts';
import type { Authenticator } from './auth.ts';
import { checkDevModeRequest } from './dev-mode-guard.ts';
import {
  clientErrorHandler,
  frameworkErrorHandler,
  registerErrorHandling,
  sendShuttingDown,
} from './error-handler.ts';
import { registerJsonBodyParser } from './json-body.ts';
import type { RequestLimiter } from './request-limits.ts';
import type { Principal, RouteDefinition } from './route.ts';
import type { SocketRouteDefinition } from './socket-route.ts';
import { parseInput } from './validation.ts';
import { registerWebSockets } from './websocket-server.ts';

export interface HttpServerOptions {
  routes: RouteDefinition[];
  /** WebSocket endpoints, served on the same port (an upgrade of a GET to their path). */
  sockets?: SocketRouteDefinition[];
  authenticator: Authenticator;
  bodyLimit: number;
  logger: FastifyServerOptions['logger'];
  /** Dev mode (no admin key): answer only loopback `Host` names and same-origin browser writes. */
  devMode?: boolean;
  /** Counts each project request against its limits (requests per minute); absent: no limits. */
  limiter?: RequestLimiter;
  /** Extra plugins (tracing, metrics, static files) registered before the routes. */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
  /**
   * The multipart parser, registered only around the routes that declare `uploads` (its hooks,
   * such as an async `onResponse`, would otherwise run on every request).
   */
  uploads?: (app: FastifyInstance) => Promise<void> | void;
}

/** No valid request has a longer URL; Node itself refuses request heads over 16 KB (a 431). */
const MAX_URL_LENGTH = 8192;
/** No id or path word is longer; it is also the router's `maxParamLength`. */
const MAX_PATH_SEGMENT_LENGTH = 200;

/** The 414 for a URL no valid request has; checked before routing, so the playground's fallback too. */
function urlLengthProblem(url: string): UriTooLongError | undefined {
  if (url.length > MAX_URL_LENGTH)
    return new UriTooLongError(`The URL is longer than ${MAX_URL_LENGTH} characters.`);
  // No segment of a URL this short can be too long: the common case skips the split.
  if (url.length <= MAX_PATH_SEGMENT_LENGTH) return undefined;
  const path = url.split('?')[0]!;
  if (path.split('/').some((segment) => segment.length > MAX_PATH_SEGMENT_LENGTH))
    return new UriTooLongError(
      `Invalid URL: a path segment is longer than ${MAX_PATH_SEGMENT_LENGTH} characters, longer than any valid id.`,
    );
  return undefined;
}

/** Sends a handler's answer (a streaming handler has sent or hijacked the reply itself). */
function send(result: unknown, reply: FastifyReply): void {
  if (result === reply || reply.sent) return;
  reply.type('application/json; charset=utf-8');
  reply.send(result instanceof JsonText ? result.text : result);
}

/** The caller of a public route (no key read). */
const PUBLIC_CALLER: Principal = Object.freeze({ projectId: '', admin: false, keyId: null });

function checkBetaHeader(value: string | string[] | undefined): void {
  const header = Array.isArray(value) ? value.join(',') : value;
  if (header && /assistants=v1\b/.test(header)) {
    throw new InvalidRequestError(
      "The v1 Assistants API is not supported. Please set the 'OpenAI-Beta: assistants=v2' header.",
      null,
      'invalid_beta',
    );
  }
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger,
    // Per-request log lines cost throughput; 5xx errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    genReqId: () => newId('request'),
    forceCloseConnections: 'idle',
    // Requests that arrive while the server closes get a 503 in the envelope (below), not Fastify's body.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_SEGMENT_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  const devMode = options.devMode ?? false;
  // One callback hook for every request (no promise): request id, draining, URL length, dev mode.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // Draining: a request on a connection that is still open goes elsewhere (clients retry 503s).
    if (closing) return void sendShuttingDown(reply);
    const problem = urlLengthProblem(request.url);
    if (problem || !devMode) return done(problem);
    try {
      checkDevModeRequest(request);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
  registerJsonBodyParser(app, options.bodyLimit);
  registerErrorHandling(app, createAllowedMethods(options.routes));
  registerWebSockets(app, {
    routes: options.sockets ?? [],
    authenticator: options.authenticator,
    devMode,
    maxPayload: options.bodyLimit,
    limiter: options.limiter,
  });
  for (const plugin of options.plugins ?? []) await plugin(app);

  const addRoute = (instance: FastifyInstance, route: RouteDefinition): void => {
    const access = route.access ?? 'project';
    const fast = route.fastPaths;
    const checkNotMultipart = route.uploads === true && route.body !== undefined;
    /** Validates the inputs and runs the handler: synchronous when the handler answers at once. */
    const respond = (
      principal: Principal,
      request: FastifyRequest,
      reply: FastifyReply,
    ): Promise<void> | undefined => {
      if (access === 'project' && options.limiter) {
        const headers = options.limiter(principal);
        if (isPromise(headers))
          return headers.then((resolved) => {
            reply.headers(resolved);
            return handle(principal, request, reply);
          });
        reply.headers(headers);
      }
      return handle(principal, request, reply);
    };
    const handle = (
      principal: Principal,
      request: FastifyRequest,
      reply: FastifyReply,
    ): Promise<void> | undefined => {
      const params = route.params
        ? parseInput(route.params, fast?.params, request.params, 'path')
        : request.params;
      const query = route.query
        ? parseInput(route.query, fast?.query, request.query, 'query')
        : request.query;
      const body = route.body
        ? parseInput(route.body, fast?.body, request.body ?? {}, 'body')
        : request.body;
      const result = route.handler({
        params,
        query,
        body,
        principal,
        projectId: principal.projectId,
        request,
        reply,
      });
      // A streaming handler's returned reply is a thenable: awaiting it waits for the response, so
      // `send` asks the reply, not the result. An answer known at once is sent without a promise.
      if (isPromise(result)) return result.then((value) => send(value, reply));
      send(result, reply);
      return undefined;
    };
    instance.route({
      method: route.method,
      url: route.path,
      // Not `async`: a request whose caller, limits and answer are known without I/O (a cached key,
      // no limits, the hot message pair on SQLite) is answered with no promise; Fastify sends what
      // this throws, and waits for what it returns, as it did for the async handler's rejections.
      handler: (request, reply) => {
        checkBetaHeader(request.headers['openai-beta']);
        // An upload route with a body schema still reads only JSON (other routes have no multipart parser).
        if (checkNotMultipart && /^multipart\//i.test(request.headers['content-type'] ?? '')) {
          throw new UnsupportedMediaTypeError(
            'Unsupported Content-Type: this endpoint expects application/json.',
          );
        }
        if (access === 'public') return respond(PUBLIC_CALLER, request, reply);
        // A caller known without I/O (a cached key) costs no promise.
        const principal = options.authenticator.authenticateCached(request, access);
        if (principal) return respond(principal, request, reply);
        return options.authenticator
          .authenticate(request, access)
          .then((found) => respond(found, request, reply));
      },
    });
  };
  const uploadRoutes = options.routes.filter((route) => route.uploads);
  for (const route of options.routes) if (!route.uploads) addRoute(app, route);
  // An encapsulated context: the upload plugin's parser and hooks reach only these routes.
  if (uploadRoutes.length > 0) {
    await app.register(async (child) => {
      await options.uploads?.(child);
      for (const route of uploadRoutes) addRoute(child, route);
    });
  }
  return app;
}

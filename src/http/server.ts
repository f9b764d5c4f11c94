/**
 * The Fastify server: request ids, body parsing, auth, validation and error mapping around the
 * declared routes. It knows nothing about any resource; `src/app.ts` hands it the route list.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { newId } from '../domain/ids.ts';
import { InvalidRequestError } from '../domain/errors.ts';
import { JsonText } from '../domain/json-text.ts';
import type { Authenticator } from './auth.ts';
import { registerDevModeGuard } from './dev-mode-guard.ts';
import { registerErrorHandling } from './error-handler.ts';
import { registerJsonBodyParser } from './json-body.ts';
import type { RouteDefinition } from './route.ts';
import { parseOrThrow } from './validation.ts';

export interface HttpServerOptions {
  routes: RouteDefinition[];
  authenticator: Authenticator;
  bodyLimit: number;
  logger: FastifyServerOptions['logger'];
  /** Dev mode (no admin key): answer only loopback `Host` names and same-origin browser writes. */
  devMode?: boolean;
  /** Extra plugins (multipart, static files) registered before the routes. */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
}

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
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerJsonBodyParser(app, options.bodyLimit);
  registerErrorHandling(app);
  if (options.devMode) registerDevModeGuard(app);
  for (const plugin of options.plugins ?? []) await plugin(app);

  for (const route of options.routes) {
    const access = route.access ?? 'project';
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        checkBetaHeader(request.headers['openai-beta']);
        const principal =
          access === 'public'
            ? { projectId: '', admin: false, keyId: null }
            : await options.authenticator.authenticate(request, access);
        const params = route.params
          ? parseOrThrow(route.params, request.params, 'path')
          : request.params;
        const query = route.query
          ? parseOrThrow(route.query, request.query, 'query')
          : request.query;
        const body = route.body
          ? parseOrThrow(route.body, request.body ?? {}, 'body')
          : request.body;
        const result = await route.handler({
          params,
          query,
          body,
          principal,
          projectId: principal.projectId,
          request,
          reply,
        });
        // A streaming handler has sent (hijacked) the reply. Its returned reply is a thenable, so awaiting
        // it yields undefined, not the reply: ask the reply, not the result.
        if (result === reply || reply.sent) return reply;
        reply.type('application/json; charset=utf-8');
        return reply.send(result instanceof JsonText ? result.text : result);
      },
    });
  }
  return app;
}

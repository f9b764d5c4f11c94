/**
 * The HTTP server: authentication, the routes, uploads, and the playground at `/`. Dev mode (no
 * `CONCIERGE_API_KEY`) is refused on a non-loopback `HOST` before anything is opened.
 */
import { resolve } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import { ConfigError } from '../config/load-config.ts';
import { isLoopbackHost } from '../domain/loopback.ts';
import type { Authenticator } from '../http/auth.ts';
import type { RequestLimiter } from '../http/request-limits.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { SocketRouteDefinition } from '../http/socket-route.ts';
import { createHttpServer } from '../http/server.ts';
import { staticSitePlugin } from '../http/static-site.ts';
import type { AppOverrides } from './app-types.ts';
import { httpMetricsPlugin, metricsRoutePlugin } from './metrics-endpoint.ts';
import type { Metrics } from './metrics.ts';
import type { Tracing } from './tracing.ts';
import { httpTracingPlugin } from './tracing-observers.ts';

/** The built playground (committed, so `npm ci && npm start` serves it without a build step). */
const PLAYGROUND_ROOT = resolve(import.meta.dirname, '../../web/dist');

/**
 * Multipart limits besides the file size (`CONCIERGE_FILE_SIZE_LIMIT`): an upload is one file and a
 * `purpose` field, so a request with more parts than that, or a field longer than any purpose or
 * expiry, is refused before it is buffered.
 */
const UPLOAD_LIMITS = { files: 2, fields: 16, parts: 20, fieldSize: 64 * 1024 } as const;

/** Throws when the configuration would serve dev mode (any bearer accepted) beyond this machine. */
export function assertDevModeIsLocal(config: Config): void {
  if (config.apiKey || isLoopbackHost(config.host)) return;
  throw new ConfigError(
    `HOST=${config.host} is not a loopback address (an IP literal in 127.0.0.0/8, ::1, or localhost), but CONCIERGE_API_KEY is unset (dev mode). Set CONCIERGE_API_KEY to serve beyond this machine.`,
  );
}

export async function createServer(
  config: Config,
  overrides: AppOverrides,
  { routes, sockets }: { routes: RouteDefinition[]; sockets: SocketRouteDefinition[] },
  authenticator: Authenticator,
  observers: {
    metrics: Metrics | undefined;
    tracing: Tracing | undefined;
    limiter?: RequestLimiter | undefined;
  },
): Promise<FastifyInstance> {
  const { metrics, tracing, limiter } = observers;
  const server = await createHttpServer({
    routes,
    sockets,
    authenticator,
    ...(limiter && { limiter }),
    bodyLimit: config.bodyLimit,
    devMode: !config.apiKey,
    plugins: [
      // A span per request (continuing an incoming traceparent), when tracing is on.
      ...(tracing ? [httpTracingPlugin()] : []),
      // Every request counted by route pattern and status; `GET /metrics` when served on this port.
      ...(metrics ? [httpMetricsPlugin(metrics)] : []),
      ...(metrics && config.metrics === 'on' ? [metricsRoutePlugin(metrics, config)] : []),
      // The playground at `/`: a static single-page app that calls the same public API as any client.
      ...(config.playground === 'on'
        ? [staticSitePlugin({ root: PLAYGROUND_ROOT, apiPrefixes: ['/v1', '/health'] })]
        : []),
    ],
    // Uploads stream part by part into the blob store; the size limit is enforced while streaming.
    // Registered around the upload routes only (`uploads: true`).
    uploads: async (instance) => {
      await instance.register(multipart, {
        limits: { fileSize: config.fileSizeLimit, ...UPLOAD_LIMITS },
      });
    },
    logger: overrides.logger ?? { level: config.logLevel, redact: ['req.headers.authorization'] },
  });
  if (!config.apiKey) {
    server.log.warn(
      'DEV MODE: CONCIERGE_API_KEY is not set. Any bearer token is accepted and only loopback callers are served. Set CONCIERGE_API_KEY before exposing this server.',
    );
  }
  return server;
}

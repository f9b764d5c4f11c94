/**
 * Serving the metrics as `CONCIERGE_METRICS` says: `on` adds `GET /metrics` to the API's server,
 * behind a bearer token (`CONCIERGE_METRICS_TOKEN`, else the admin key; open in dev mode, which serves
 * loopback only); `host:port` serves them on a listener of their own, without auth, for a network only
 * the scraper reaches. Either way every HTTP request of the API is counted by its route pattern.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { parseListenAddress, type Config } from '../config/config-schema.ts';
import { AuthenticationError } from '../domain/errors.ts';
import type { CloserStack } from './closer-stack.ts';
import type { Metrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The secret `GET /metrics` on the API port asks for; undefined in dev mode (no admin key). */
function metricsSecret(config: Config): string | undefined {
  return config.metricsToken?.reveal() ?? config.apiKey;
}

/** A Fastify plugin: counts each request when its response ends (streams included) by route pattern. */
export function httpMetricsPlugin(metrics: Metrics) {
  return (app: FastifyInstance) => {
    app.addHook('onRequest', (request, reply, done) => {
      const started = performance.now();
      // `close` comes for every response: sent, streamed (hijacked) or cut off by its client.
      reply.raw.once('close', () => {
        const route = request.routeOptions.url ?? 'unmatched';
        const seconds = (performance.now() - started) / 1000;
        metrics.httpRequest(request.method, route, reply.raw.statusCode, seconds);
      });
      done();
    });
  };
}

/** A Fastify plugin: `GET /metrics` on the API's own port, behind the metrics token. */
export function metricsRoutePlugin(metrics: Metrics, config: Config) {
  const secret = metricsSecret(config);
  return (app: FastifyInstance) => {
    app.get(METRICS_PATH, async (request, reply) => {
      if (secret !== undefined) {
        const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization?.trim() ?? '');
        if (!match || !sameSecret(match[1]!.trim(), secret))
          throw new AuthenticationError(
            'The metrics endpoint needs Authorization: Bearer with CONCIERGE_METRICS_TOKEN (or the admin key when no token is set).',
            'invalid_api_key',
          );
      }
      const { contentType, text } = await metrics.render();
      return reply.type(contentType).send(text);
    });
  };
}

/**
 * Starts the metrics' own listener when `CONCIERGE_METRICS` is `host:port`; resolves to its URL
 * (`http://host:port/metrics`), or undefined when metrics are served otherwise.
 */
export async function startMetricsListener(
  config: Config,
  metrics: Metrics,
  closers: CloserStack,
): Promise<string | undefined> {
  const address = parseListenAddress(config.metrics);
  if (!address) return undefined;
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: try /metrics\n');
      return;
    }
    metrics.render().then(
      ({ contentType, text }) => response.writeHead(200, { 'content-type': contentType }).end(text),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`Reading the metrics failed: ${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  closers.push('metrics listener', () => {
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeAllConnections();
    return closed;
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${port}${METRICS_PATH}`;
}

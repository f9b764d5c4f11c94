/**
 * The composition root: the only place that picks adapters and wires services to routes.
 * `createApp(config, overrides)` builds a fresh, independent server; tests build one per suite.
 *
 * It reads as the list of the app's parts, each built in `src/composition/` from the ones before it.
 * Each part pushes its `close` as it is created, so shutdown runs in reverse creation order, and a
 * start that fails closes what it had opened.
 */
import type { Config } from './config/config-schema.ts';
import { createAuthenticator } from './http/auth.ts';
import { createRequestLimiter } from './http/request-limits.ts';
import { createApiRoutes } from './composition/api-routes.ts';
import type { App, AppOverrides } from './composition/app-types.ts';
import { createCloserStack } from './composition/closer-stack.ts';
import { assertDevModeIsLocal, createServer } from './composition/http-server.ts';
import { createLogRelay } from './composition/log-relay.ts';
import { startMetricsListener } from './composition/metrics-endpoint.ts';
import { createObservability } from './composition/observability.ts';
import { createPersistence } from './composition/persistence.ts';
import { createRetrieval } from './composition/retrieval.ts';
import { createRunEngine } from './composition/run-engine.ts';
import { createServiceAgentsPart } from './composition/service-agents.ts';
import { listen, startServing } from './composition/serving.ts';
import { startTracing } from './composition/tracing.ts';

export type { App, AppOverrides } from './composition/app-types.ts';

export const VERSION = '0.1.0';

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  assertDevModeIsLocal(config);
  const closers = createCloserStack();
  const relay = createLogRelay();
  try {
    // First, so that its close runs last and exports the spans of what the drain finished.
    const tracing = await startTracing(config, VERSION, closers);
    const { metrics, persistence } = await createObservability(
      config,
      await createPersistence(config, overrides, closers, relay.log),
      closers,
    );
    const retrieval = createRetrieval(config, persistence, closers, relay.log);
    const agents = createServiceAgentsPart(config, overrides, closers, tracing);
    const engine = await createRunEngine(config, overrides, closers, relay.log, {
      persistence,
      retrieval,
      agents,
      metrics,
      tracing,
    });
    const authenticator = createAuthenticator({
      store: persistence.store,
      adminKey: config.apiKey,
    });
    const onAccessChanged = () => authenticator.invalidate();
    const api = createApiRoutes(config, VERSION, {
      persistence,
      retrieval,
      agents,
      engine,
      onAccessChanged,
    });
    closers.push('mcp sessions', () => api.mcpSessions.close());
    const limiter = createRequestLimiter(persistence.store, persistence.limits);
    const server = await createServer(config, overrides, api, authenticator, {
      metrics,
      tracing,
      limiter,
    });
    relay.attach(server.log);
    await startServing(config, closers, server, {
      persistence,
      retrieval,
      engine,
      files: api.files,
    });
    const metricsUrl = metrics && (await startMetricsListener(config, metrics, closers));
    return {
      server,
      routes: api.routes,
      sockets: api.sockets,
      store: persistence.store,
      bus: persistence.bus,
      worker: engine.worker,
      config,
      log: server.log,
      fileSearch: retrieval.fileSearch,
      builtinAgents: agents.builtinAgents,
      a2aClient: agents.a2aClient,
      metricsUrl,
      listen: () => listen(server, config),
      close: () => closers.close(),
    };
  } catch (error) {
    await closers.close().catch(() => {});
    throw error;
  }
}

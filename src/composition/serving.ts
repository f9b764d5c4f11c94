/**
 * Starting and draining: the workers start once the bus listens, and stop (draining their runs)
 * while the server refuses new requests, before anything they use is closed.
 */
import type { FastifyInstance } from 'fastify';
import type { FilesService } from '../api/files/files.service.ts';
import type { Config } from '../config/config-schema.ts';
import type { CloserStack } from './closer-stack.ts';
import type { Persistence } from './persistence.ts';
import type { Retrieval } from './retrieval.ts';
import type { RunEngine } from './run-engine.ts';

/**
 * How often expired files are deleted. `expires_after` is at least an hour, so a minute late is
 * within what a client can notice, and the sweep is one indexed query.
 */
export const FILE_SWEEP_INTERVAL_MILLISECONDS = 60_000;

export async function startServing(
  config: Config,
  closers: CloserStack,
  server: FastifyInstance,
  parts: { persistence: Persistence; retrieval: Retrieval; engine: RunEngine; files: FilesService },
): Promise<void> {
  const { worker } = parts.engine;
  const { ingestion } = parts.retrieval;
  closers.push('http server and workers', async () => {
    // Stop accepting connections; streams already open keep receiving events while runs drain.
    const serverClosed = server.close();
    await Promise.all([worker?.stop(config.drainSeconds * 1000), ingestion?.stop()]);
    // Streams of runs that were handed back end here; their clients can resume on another node.
    server.server.closeAllConnections();
    await serverClosed;
  });
  // Listen before claiming, so no wake-up from another process is missed at start.
  await parts.persistence.bus.ready;
  worker?.start();
  server.log.info(await parts.retrieval.describe());
  ingestion?.start();
  const sweepTimer = setInterval(() => {
    parts.files
      .sweepExpired()
      .catch((error: unknown) => server.log.error({ err: error }, 'sweeping expired files failed'));
  }, FILE_SWEEP_INTERVAL_MILLISECONDS);
  sweepTimer.unref();
  closers.push('expired-file sweep', () => clearInterval(sweepTimer));
}

/** Listens on `config.host:config.port`; resolves to the API's base URL (`http://host:port/v1`). */
export async function listen(server: FastifyInstance, config: Config): Promise<string> {
  await server.listen({ port: config.port, host: config.host });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}/v1`;
}

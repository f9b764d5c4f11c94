/**
 * Starting and draining: the workers start once the bus listens, and stop (draining their runs)
 * while the server refuses new requests, before anything they use is closed.
 */
import type { FastifyInstance } from 'fastify';
import type { FilesService } from '../api/files/files.service.ts';
import type { Config } from '../config/config-schema.ts';
import type { CloserStack } from './closer-stack.ts';
import { createJanitor, retentionRules, type Janitor } from './janitor.ts';
import type { Persistence } from './persistence.ts';
import type { Retrieval } from './retrieval.ts';
import type { RunEngine } from './run-engine.ts';

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
  startJanitor(config, closers, server, parts);
}

/**
 * The janitor's timers: the retention rules every `janitorIntervalSeconds` (file `expires_after` is
 * at least an hour, so a minute late is within what a client can notice), the blob sweep every
 * `blobSweepIntervalSeconds`. Every node runs them; the deletions are idempotent and each rechecks
 * its condition under a row lock. A pass still running when the next is due is not doubled.
 */
function startJanitor(
  config: Config,
  closers: CloserStack,
  server: FastifyInstance,
  parts: { persistence: Persistence; files: FilesService },
): Janitor {
  const { store, blobs } = parts.persistence;
  const janitor = createJanitor({
    store,
    blobs,
    rules: retentionRules(config, store, (limit, now) => parts.files.sweepExpired(limit, now)),
    graceSeconds: config.blobSweepIntervalSeconds,
  });
  const every = (seconds: number, what: string, pass: (now: number) => Promise<unknown>) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      pass(Math.floor(Date.now() / 1000))
        .catch((error: unknown) => server.log.error({ err: error }, `${what} failed`))
        .finally(() => (running = false));
    }, seconds * 1000);
    timer.unref();
    closers.push(what, () => clearInterval(timer));
  };
  every(config.janitorIntervalSeconds, 'retention pass', (now) => janitor.runRules(now));
  every(config.blobSweepIntervalSeconds, 'orphaned-blob sweep', (now) => janitor.sweepBlobs(now));
  return janitor;
}

/** Listens on `config.host:config.port`; resolves to the API's base URL (`http://host:port/v1`). */
export async function listen(server: FastifyInstance, config: Config): Promise<string> {
  await server.listen({ port: config.port, host: config.host });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}/v1`;
}

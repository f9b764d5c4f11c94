/**
 * The process roles: `concierge serve` (the API, and by default a worker) and `concierge worker` (a
 * worker only). Each loads the config, builds the app, and drains on SIGTERM/SIGINT: running runs
 * finish within the drain time or are handed back to other workers.
 */
import { createApp, type App } from './app.ts';
import { loadConfig } from './config/load-config.ts';
import type { ConfigInput } from './config/config-schema.ts';

function drainOnSignals(app: App): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal} received: draining`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

export async function serve(options: Partial<ConfigInput> = {}): Promise<void> {
  const config = loadConfig({ options });
  const app = await createApp(config);
  const baseUrl = await app.listen();
  app.log.info(
    `Concierge listening on ${baseUrl} (database: ${config.databaseUrl.split('@').pop()})`,
  );
  drainOnSignals(app);
}

/** `concierge worker`: claims and executes runs and ingestion jobs; serves no API. */
export async function work(options: Partial<ConfigInput> = {}): Promise<void> {
  const config = loadConfig({ options: { ...options, worker: true } });
  const app = await createApp(config);
  if (config.databaseUrl.startsWith('sqlite:')) {
    app.log.warn(
      'concierge worker on SQLite: other processes are not notified of its events; streams and wake-ups fall back to polling. Use PostgreSQL to scale out.',
    );
  }
  app.log.info(
    `Concierge worker ${app.worker!.id} started (database: ${config.databaseUrl.split('@').pop()})`,
  );
  drainOnSignals(app);
}

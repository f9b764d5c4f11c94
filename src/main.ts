/** `concierge serve`: load config, build the app, listen, and drain on SIGTERM/SIGINT. */
import { createApp } from './app.ts';
import { loadConfig } from './config/load-config.ts';
import type { ConfigInput } from './config/config-schema.ts';

export async function serve(options: Partial<ConfigInput> = {}): Promise<void> {
  const config = loadConfig({ options });
  const app = await createApp(config);
  const baseUrl = await app.listen();
  app.log.info(`Concierge listening on ${baseUrl} (database: ${config.databaseUrl.split('@').pop()})`);

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

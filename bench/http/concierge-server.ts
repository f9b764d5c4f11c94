/** Concierge on SQLite in a temporary directory, as `npm start` runs it but quiet. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';

const directory = mkdtempSync(join(tmpdir(), 'concierge-bench-'));
const config = ConfigSchema.parse({
  port: 0,
  logLevel: 'warn',
  databaseUrl: `sqlite:${join(directory, 'bench.db')}`,
  dataDir: directory,
});
const app = await createApp(config, { logger: false });
console.log(`LISTENING ${await app.listen()}`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));

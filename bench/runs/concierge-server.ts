/**
 * Concierge for the run benchmarks: SQLite in a temporary directory, the upstream from UPSTREAM_URL.
 * BENCH_OTLP_URL turns tracing on, exporting spans there (OTLP/HTTP).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';

const directory = mkdtempSync(join(tmpdir(), 'concierge-bench-runs-'));
const config = ConfigSchema.parse({
  port: 0,
  logLevel: 'warn',
  databaseUrl: process.env['BENCH_DATABASE_URL'] ?? `sqlite:${join(directory, 'bench.db')}`,
  dataDir: directory,
  providerBaseUrl: process.env['UPSTREAM_URL'],
  workerConcurrency: 512,
  ...(process.env['BENCH_OTLP_URL']
    ? { otelExporterOtlpTracesEndpoint: process.env['BENCH_OTLP_URL'], otelBspScheduleDelay: 200 }
    : {}),
});
const app = await createApp(config, { logger: false });
console.log(`LISTENING ${await app.listen()}`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));

/** The `concierge` command: `serve`, `worker`, `migrate`, `backup`, `restore`, `demo-merchant`, `--help`. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { VERSION } from './app.ts';
import { loadConfig, ConfigError } from './config/load-config.ts';
import { BackupError, createBackup, restoreBackup } from './composition/backup.ts';
import type { ConfigInput } from './config/config-schema.ts';
import { serve, work } from './main.ts';
import { DatabaseUrlError, openStore } from './storage/open-store.ts';

const HELP = `concierge ${VERSION}: a self-hosted, OpenAI-compatible Assistants & Agents API server

Usage:
  concierge serve [--port N] [--host H] [--no-worker]   start the API (and, by default, the run worker)
  concierge worker                                       run a worker only (runs, ingestion); scale out on PostgreSQL
  concierge migrate                                      apply database migrations and exit
  concierge backup <dir>                                 online backup of the database (SQLite) and file bytes
  concierge restore <dir>                                restore a backup into an empty data directory
  concierge demo-merchant [--port N] [--host H] [--test-controls]
                                                         run the demo merchant (ACP checkout, x402 goods) on its own
  concierge --help | --version

Configuration comes from options, then environment variables, then ./concierge.config.json:
  PORT, HOST                      where to listen (default 127.0.0.1:8787)
  CONCIERGE_DATABASE_URL          sqlite:<path> (default sqlite:.concierge/concierge.db) or postgres://…
  CONCIERGE_DATA_DIR              blobs, sandboxes, dev-chain state (default .concierge)
  CONCIERGE_API_KEY               admin key; unset = dev mode (loopback only, any bearer accepted)
  CONCIERGE_PROVIDER_BASE_URL     default OpenAI-compatible upstream (default https://api.openai.com/v1)
  CONCIERGE_PROVIDER_API_KEY      key for that upstream
See docs/configuration.md for every setting.`;

export async function runCli(argv: string[]): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        port: { type: 'string' },
        host: { type: 'string' },
        'no-worker': { type: 'boolean' },
        'test-controls': { type: 'boolean' },
      },
    });
    const command = positionals[0];
    if (values.version) {
      console.log(VERSION);
      return 0;
    }
    if (values.help || command === undefined || command === 'help') {
      console.log(HELP);
      return values.help || command === 'help' ? 0 : 1;
    }
    const options: Partial<ConfigInput> = {
      ...(values.port !== undefined ? { port: Number(values.port) } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values['no-worker'] ? { worker: false } : {}),
    };
    switch (command) {
      case 'serve':
        await serve(options);
        return 0;
      case 'worker':
        await work(options);
        return 0;
      case 'demo-merchant': {
        // Loaded here, so that `serve` never loads the demo merchant's Fastify app and x402 stack.
        const { runDemoMerchant } = await import('./demo-merchant-command.ts');
        const config = loadConfig({});
        await runDemoMerchant(config, {
          host: values.host ?? '127.0.0.1',
          port: values.port === undefined ? 8790 : Number(values.port),
          testControls: values['test-controls'] === true,
        });
        return 0;
      }
      case 'migrate': {
        const config = loadConfig({ options });
        const store = await openStore(config.databaseUrl, { maxConnections: 1 });
        const applied = await store.migrate();
        await store.close();
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
        return 0;
      }
      case 'backup':
      case 'restore': {
        const directory = positionals[1];
        if (directory === undefined) {
          console.error(`concierge ${command}: name the backup directory.\n\n${HELP}`);
          return 1;
        }
        const config = loadConfig({ options });
        const manifest = await (command === 'backup' ? createBackup : restoreBackup)(
          config,
          resolve(directory),
        );
        const what = `${manifest.database ? 'the SQLite database and ' : ''}${manifest.blobs.length} file(s)`;
        console.log(
          command === 'backup' ? `Backed up ${what} to ${directory}.` : `Restored ${what}.`,
        );
        return 0;
      }
      default:
        console.error(`Unknown command "${command}".\n\n${HELP}`);
        return 1;
    }
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof DatabaseUrlError ||
      error instanceof BackupError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`concierge: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

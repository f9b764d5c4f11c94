/**
 * Two nodes on one PostgreSQL schema, in this process: an API-only node (`serve --no-worker`) and a
 * node with a worker, each with its own data directory, as a scale-out deployment runs them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createApp, type App } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { dropSchema, newSchemaName, postgresDeploymentUrl } from './postgres.ts';

export interface TwoNodes {
  apiNode: App;
  workerNode: App;
  /** A client of the API node. */
  api: OpenAI;
  /** The worker node's base URL (it serves the API too). */
  workerUrl: string;
  /** Their schema. */
  schema: string;
  /** Closes both nodes and drops the schema. */
  close(): Promise<void>;
}

/**
 * Starts the worker node, then the API node, on a fresh schema; their connections carry the
 * `application_name`s `api-node` and `worker-node` (a test can tell their statements apart).
 * `settings`: more configuration, for both.
 */
export async function startTwoNodes(
  providerBaseUrl: string,
  settings: Record<string, unknown> = {},
): Promise<TwoNodes> {
  const schema = newSchemaName();
  const directory = mkdtempSync(join(tmpdir(), 'concierge-two-nodes-'));
  const config = (name: string, worker: boolean) =>
    ConfigSchema.parse({
      port: 0,
      logLevel: 'silent',
      dataDir: join(directory, name),
      databaseUrl: postgresDeploymentUrl(schema, name),
      providerBaseUrl,
      worker,
      ...settings,
    });
  const workerNode = await createApp(config('worker-node', true), { logger: false });
  const apiNode = await createApp(config('api-node', false), { logger: false });
  const workerUrl = await workerNode.listen();
  const api = new OpenAI({ baseURL: await apiNode.listen(), apiKey: 'x', maxRetries: 0 });
  return {
    apiNode,
    workerNode,
    api,
    workerUrl,
    schema,
    async close() {
      await apiNode.close();
      await workerNode.close();
      await dropSchema(schema);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

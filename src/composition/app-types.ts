/** What `createApp` takes and returns (`src/app.ts` re-exports these). */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Chain } from '../chain/chain.ts';
import type { Config } from '../config/config-schema.ts';
import type { EventBus } from '../engine/event-bus.ts';
import type { Worker } from '../engine/worker.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { SocketRouteDefinition } from '../http/socket-route.ts';
import type { ModelResolver } from '../models/language-model.ts';
import type { A2aClient } from '../service-agents/a2a/a2a-client.ts';
import type { ActionLeases } from '../service-agents/action-leases.ts';
import type { BuiltinServiceAgent } from '../service-agents/builtin-agent.ts';
import type { Store } from '../storage/store.ts';
import type { SandboxBackends } from '../tools/code-interpreter/select-sandbox.ts';
import type { FileSearch } from '../tools/file-search.ts';

export interface AppOverrides {
  /** A store to use instead of opening `config.databaseUrl` (the app closes it on `close`). */
  store?: Store;
  /** A blob store to use instead of local disk under `config.dataDir`. */
  blobs?: BlobStore;
  /** Logger options or instance for Fastify; defaults to pino at `config.logLevel`. */
  logger?: boolean | Record<string, unknown>;
  /** A model resolver instead of the configured providers. */
  models?: ModelResolver;
  /** An event bus instead of the in-process one. */
  bus?: EventBus;
  /** A chain instead of the embedded dev chain or `chainRpcUrl`. */
  chain?: Chain;
  /** More built-in service agents (tests add their own). */
  builtinAgents?: BuiltinServiceAgent[];
  /** Leases on executing actions (tests pass a clock they move, and stop the heartbeats as a crash would). */
  actionLeases?: ActionLeases;
  /** The code_interpreter backends `CONCIERGE_CODE_SANDBOX` chooses from (tests stand in for a host that lacks one). */
  codeSandboxBackends?: SandboxBackends;
}

export interface App {
  server: FastifyInstance;
  /** Every declared route (for the OpenAPI document and the compatibility table). */
  routes: RouteDefinition[];
  /** Every WebSocket endpoint (for the compatibility table). */
  sockets: SocketRouteDefinition[];
  store: Store;
  bus: EventBus;
  /** The run worker of this process, when `config.worker` is on. */
  worker: Worker | undefined;
  config: Config;
  log: FastifyBaseLogger;
  /** Searches vector stores: what the run engine's file_search tool calls. */
  fileSearch: FileSearch;
  /** The built-in service agents (`builtin` ids: `purchasing`, …). */
  builtinAgents: BuiltinServiceAgent[];
  /** The client for remote A2A agents (service agents of kind `a2a`), limited to `a2aAllowedHosts`. */
  a2aClient: A2aClient;
  /** Where this process serves its metrics on a listener of their own (`CONCIERGE_METRICS=host:port`). */
  metricsUrl: string | undefined;
  /** Starts listening; resolves to the base URL of the API (`http://host:port/v1`). */
  listen(): Promise<string>;
  /** Stops accepting requests, drains, and closes the store. */
  close(): Promise<void>;
}

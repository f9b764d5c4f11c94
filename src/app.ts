/**
 * The composition root: the only place that picks adapters and wires services to routes.
 * `createApp(config, overrides)` builds a fresh, independent server; tests build one per suite.
 */
import pg from 'pg';
import { join, resolve } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { filesRoutes } from './api/files/files.routes.ts';
import { createFilesService } from './api/files/files.service.ts';
import { assistantsRoutes } from './api/assistants/assistants.routes.ts';
import { createAssistantsService } from './api/assistants/assistants.service.ts';
import { apiKeysRoutes } from './api/organization/projects/api-keys/api-keys.routes.ts';
import { createApiKeysService } from './api/organization/projects/api-keys/api-keys.service.ts';
import { projectsRoutes } from './api/organization/projects/projects.routes.ts';
import {
  createProjectsService,
  ensureDefaultProject,
} from './api/organization/projects/projects.service.ts';
import { createMessageAttachments } from './api/shared/message-attachments.ts';
import { createToolResourcesResolver } from './api/shared/tool-resources.ts';
import { systemRoutes } from './api/system/system.routes.ts';
import { meRoutes } from './api/me/me.routes.ts';
import { modelsRoutes } from './api/models/models.routes.ts';
import { messagesRoutes } from './api/threads/messages/messages.routes.ts';
import { createMessagesService } from './api/threads/messages/messages.service.ts';
import { threadsRoutes } from './api/threads/threads.routes.ts';
import { createThreadsService } from './api/threads/threads.service.ts';
import { runsRoutes } from './api/threads/runs/runs.routes.ts';
import { createRunsService } from './api/threads/runs/runs.service.ts';
import { stepsRoutes } from './api/threads/runs/steps/steps.routes.ts';
import { createInProcessEventBus } from './engine/event-bus/in-process-event-bus.ts';
import { createPostgresEventBus } from './engine/event-bus/postgres-event-bus.ts';
import type { EventBus } from './engine/event-bus.ts';
import { createImageLoader } from './engine/image-loader.ts';
import { loadTokenCounter } from './engine/token-counter.ts';
import { runToolResources } from './engine/tool-resources.ts';
import { createRunsEngine } from './engine/runs-engine.ts';
import { createWorker, type Worker } from './engine/worker.ts';
import { createAiSdkModelResolver } from './models/ai-sdk/ai-sdk-model-resolver.ts';
import type { ModelResolver } from './models/language-model.ts';
import { createCodeInterpreterTool } from './tools/code-interpreter/code-interpreter-tool.ts';
import { createCodeSessions } from './tools/code-interpreter/code-sessions.ts';
import type { SandboxBackends } from './tools/code-interpreter/select-sandbox.ts';
import { createFileSearchTool } from './tools/file-search/file-search-tool.ts';
import type { ServerTool } from './tools/tool.ts';
import { serviceAgentsRoutes } from './api/service-agents/service-agents.routes.ts';
import { createServiceAgentsService } from './api/service-agents/service-agents.service.ts';
import type { BuiltinServiceAgent } from './service-agents/builtin-agent.ts';
import { createServiceAgentTool } from './service-agents/service-agent-tool.ts';
import { chainRoutes } from './api/chain/chain.routes.ts';
import { a2aRoutes } from './api/a2a/a2a.routes.ts';
import { createA2aService } from './api/a2a/a2a.service.ts';
import { createA2aClient, type A2aClient } from './service-agents/a2a/a2a-client.ts';
import { resolveA2aAllowedHosts } from './service-agents/a2a/allowed-hosts.ts';
import type { Chain } from './chain/chain.ts';
import { createDevChain } from './chain/dev-chain/dev-chain.ts';
import { createRpcChain } from './chain/rpc-chain/rpc-chain.ts';
import { createDevPoolVenue } from './chain/swap/dev-pool-venue.ts';
import { createTemplateContractFactory } from './chain/templates/template-contract-factory.ts';
import { createFileExecutionLedger } from './service-agents/builtin/execution-ledger.ts';
import { createSmartContractAgent } from './service-agents/builtin/smart-contract/smart-contract-agent.ts';
import { createSwapAgent } from './service-agents/builtin/swap/swap-agent.ts';
import { createVenueUsdPrices } from './service-agents/builtin/swap/venue-usd-prices.ts';
import { fileBatchesRoutes } from './api/vector-stores/file-batches/file-batches.routes.ts';
import { createFileBatchesService } from './api/vector-stores/file-batches/file-batches.service.ts';
import { vectorStoreFilesRoutes } from './api/vector-stores/files/vector-store-files.routes.ts';
import { createVectorStoreFilesService } from './api/vector-stores/files/vector-store-files.service.ts';
import { vectorStoresRoutes } from './api/vector-stores/vector-stores.routes.ts';
import { createVectorStoresService } from './api/vector-stores/vector-stores.service.ts';
import type { Config } from './config/config-schema.ts';
import { ConfigError } from './config/load-config.ts';
import { isLoopbackHost } from './domain/loopback.ts';
import type { BlobStore } from './blobs/blob-store.ts';
import { createLocalDiskBlobStore } from './blobs/local-disk/local-disk-blob-store.ts';
import { createAuthenticator } from './http/auth.ts';
import { buildOpenApiDocument } from './http/openapi.ts';
import type { RouteDefinition } from './http/route.ts';
import { createHttpServer } from './http/server.ts';
import { staticSitePlugin } from './http/static-site.ts';
import { createOpenAIEmbeddingModel } from './models/openai-embeddings/openai-embedding-model.ts';
import { openStore, postgresOptions } from './storage/open-store.ts';
import { postgresClientConfig } from './storage/postgres/postgres-store.ts';
import { createCachedEmbedder } from './tools/file-search/cached-embedder.ts';
import {
  createDocumentParser,
  documentParserOptions,
} from './tools/file-search/document-parser.ts';
import { readDocumentText } from './tools/file-search/ingest-file.ts';
import {
  createIngestionWorker,
  type IngestionWorker,
} from './tools/file-search/ingestion-worker.ts';
import type { FileSearch } from './tools/file-search.ts';
import { rewriteQuery } from './tools/file-search/rewrite-query.ts';
import { createFileSearch } from './tools/file-search/search.ts';
import type { Store } from './storage/store.ts';
import { createSolcCompiler } from './chain/compiler/solc-compiler.ts';
import { createDemoMarket, DEMO_TOKEN_EIP712_VERSION } from './chain/contracts/demo-market.ts';
import { createPurchasing } from './service-agents/builtin/purchasing/purchasing-setup.ts';

export const VERSION = '0.1.0';

/** The built playground (committed, so `npm ci && npm start` serves it without a build step). */
const PLAYGROUND_ROOT = resolve(import.meta.dirname, '../web/dist');

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
  /** The code_interpreter backends `CONCIERGE_CODE_SANDBOX` chooses from (tests stand in for a host that lacks one). */
  codeSandboxBackends?: SandboxBackends;
}

export interface App {
  server: FastifyInstance;
  /** Every declared route (for the OpenAPI document and the compatibility table). */
  routes: RouteDefinition[];
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
  /** Starts listening; resolves to the base URL of the API (`http://host:port/v1`). */
  listen(): Promise<string>;
  /** Stops accepting requests, drains, and closes the store. */
  close(): Promise<void>;
}

/**
 * On PostgreSQL, processes share one database and hear each other through LISTEN/NOTIFY (channels
 * named after the schema, so deployments sharing a database stay apart); on SQLite, one process.
 */
function createEventBus(
  config: Config,
  store: Store,
  log: () => FastifyBaseLogger | undefined,
): EventBus {
  const postgres = postgresOptions(config.databaseUrl);
  if (!postgres) return createInProcessEventBus();
  return createPostgresEventBus({
    connect: () => new pg.Client(postgresClientConfig(postgres)),
    events: store.runEvents,
    channelPrefix: `concierge_${postgres.schema ?? 'public'}`,
    log: {
      warn: (object, message) => log()?.warn(object, message),
      info: (message) => log()?.info(message),
    },
  });
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  if (!config.apiKey && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `HOST=${config.host} is not a loopback address (an IP literal in 127.0.0.0/8, ::1, or localhost), but CONCIERGE_API_KEY is unset (dev mode). Set CONCIERGE_API_KEY to serve beyond this machine.`,
    );
  }
  const store =
    overrides.store ??
    (await openStore(config.databaseUrl, {
      maxConnections: config.databasePoolSize,
      statementTimeout: config.databaseStatementTimeoutSeconds * 1000,
    }));
  await store.migrate();
  await ensureDefaultProject(store);

  const authenticator = createAuthenticator({ store, adminKey: config.apiKey });
  const onAccessChanged = () => authenticator.invalidate();
  // Files queued for ingestion wake this process's worker; other nodes find them by polling.
  let ingestion: IngestionWorker | undefined;
  const onFilesQueued = () => ingestion?.wake();
  const toolResources = createToolResourcesResolver({ onFilesQueued });
  const messageAttachments = createMessageAttachments({ onFilesQueued });

  const assistants = createAssistantsService({ store, toolResources });
  const messages = createMessagesService({ store, beforeCreate: messageAttachments });
  const blobs = overrides.blobs ?? createLocalDiskBlobStore(config.dataDir);
  const files = createFilesService({ store, blobs, fileSizeLimit: config.fileSizeLimit });
  const embeddingModel = config.embeddingModel
    ? createOpenAIEmbeddingModel({
        baseURL: config.providerBaseUrl,
        apiKey: config.providerApiKey,
        model: config.embeddingModel,
      })
    : undefined;
  const embedder = embeddingModel && createCachedEmbedder(embeddingModel, store.embeddingCache);
  let log: FastifyBaseLogger | undefined;
  const fileSearch = createFileSearch({
    store,
    embedder,
    onEmbeddingError: (error) =>
      log?.warn(
        { err: error },
        'file_search: the query could not be embedded; searching by keyword only',
      ),
  });
  const maxTokensPerFile = config.fileSearchMaxTokensPerFile;
  const parser = createDocumentParser(documentParserOptions(config));
  const vectorStores = createVectorStoresService({
    store,
    search: fileSearch,
    rewriteQuery,
    onFilesQueued,
  });
  const vectorStoreFiles = createVectorStoreFilesService({
    store,
    onFilesQueued,
    readText: (projectId, fileId) => readDocumentText({ store, blobs, parser }, projectId, fileId),
  });
  const fileBatches = createFileBatchesService({ store, onFilesQueued });
  const bus = overrides.bus ?? createEventBus(config, store, () => log);
  // The worker is built below; until then (and on API-only nodes) runs go through the queue.
  let worker: Worker | undefined;
  // The one entry point for runs: the API, A2A and delegation start and follow runs through it.
  const runsEngine = createRunsEngine({
    store,
    bus,
    inputs: {
      message: messageAttachments,
      toolResources: (transaction, projectId, input) =>
        toolResources.resolve(transaction, projectId, input, []),
    },
    runExpirySeconds: config.runExpirySeconds,
    handOff: { reserve: () => worker?.reserve() },
  });
  const threads = createThreadsService({ store, toolResources, engine: runsEngine });
  const runs = createRunsService({ store, engine: runsEngine });
  // The embedded dev chain starts on first use; any JSON-RPC URL replaces it.
  const chain =
    overrides.chain ??
    (config.chainRpcUrl
      ? createRpcChain({ url: config.chainRpcUrl, privateKey: config.chainPrivateKey })
      : createDevChain({ dataDir: config.dataDir }));
  // --- A2A: remote agents for `a2a` service agents, and every assistant served as an A2A agent. ---
  const a2aClient = createA2aClient({ allowedHosts: resolveA2aAllowedHosts(config) });
  const a2a = createA2aService({ store, runs: runsEngine, version: VERSION });
  // --- end A2A ---
  // Built-in service agents (smart_contract, swap, purchasing) register here with their dependencies.
  // They share one solc worker (started on the first compile) and, on the dev chain, one demo market:
  // test tokens and a pool, deployed on first use. Each chain agent keeps an execution ledger under the
  // data directory, so an approved proposal never sends its transaction twice.
  const compiler = createSolcCompiler();
  const demoMarket = createDemoMarket({
    chain,
    compiler,
    directory: join(config.dataDir, 'chain'),
  });
  const executionLedger = (builtin: string) =>
    createFileExecutionLedger(join(config.dataDir, 'service-agents', builtin, 'executions'));
  const builtinAgents: BuiltinServiceAgent[] = [...(overrides.builtinAgents ?? [])];

  // ── Chain service agents: smart_contract and swap ──────────────────────────────────────────────
  builtinAgents.push(
    createSmartContractAgent({
      chain,
      contracts: createTemplateContractFactory({ chain, compiler }),
      ledger: executionLedger('smart_contract'),
      // The dev chain's ether is worthless; a real chain's gas is valued only at a configured price.
      ethPriceUsd: config.chainEthPriceUsd ?? (chain.kind === 'dev' ? 0 : undefined),
    }),
  );
  // The only venue so far is the dev chain's pool; real venues for RPC chains plug in behind the
  // same SwapVenue port.
  if (chain.kind === 'dev') {
    const venue = createDevPoolVenue({ chain, market: () => demoMarket.ensure() });
    builtinAgents.push(
      createSwapAgent({
        chain,
        venue,
        prices: createVenueUsdPrices({ venue, stablecoins: ['TUSD'] }),
        ledger: executionLedger('swap'),
      }),
    );
  }

  // ── purchasing: allowlisted merchants (ACP checkout, x402), or the demo merchant in the embedded default ──
  // Its x402 stablecoin defaults to the dev chain's Test USD from the demo market.
  const purchasing = createPurchasing({
    config,
    chain,
    async demoAsset() {
      if (config.chainRpcUrl)
        throw new ConfigError(
          'purchasing.x402Asset must name the stablecoin x402 payments use on CONCIERGE_CHAIN_RPC_URL.',
        );
      const usd = (await demoMarket.ensure()).tokens[0]!;
      return {
        address: usd.address,
        name: usd.name,
        version: DEMO_TOKEN_EIP712_VERSION,
        decimals: usd.decimals,
      };
    },
  });
  builtinAgents.push(purchasing.agent);
  const serviceAgents = createServiceAgentsService({
    store,
    builtins: builtinAgents,
    // An `a2a` agent's URL must be http(s) to an allowlisted host; its card is checked on first use.
    checkRemoteUrl: (url) => a2aClient.checkUrl(url),
  });
  // ─────────────────────────────────────────────────────────────────────────────────────────────────
  const projects = createProjectsService({ store, onAccessChanged });
  const apiKeys = createApiKeysService({ store, projects, onAccessChanged });

  const routes: RouteDefinition[] = [];
  let openApiDocument: unknown;
  routes.push(
    ...systemRoutes({
      store,
      openApiDocument: () => (openApiDocument ??= buildOpenApiDocument(routes, VERSION)),
    }),
    ...assistantsRoutes(assistants),
    ...threadsRoutes(threads),
    ...messagesRoutes(messages),
    ...runsRoutes(runs),
    ...stepsRoutes(runs),
    ...filesRoutes(files),
    ...vectorStoresRoutes(vectorStores),
    ...vectorStoreFilesRoutes(vectorStoreFiles),
    ...fileBatchesRoutes(fileBatches),
    ...projectsRoutes(projects),
    ...apiKeysRoutes(apiKeys),
    ...chainRoutes(chain, {
      limits: {
        gasCap: BigInt(config.chainRpcGasCap),
        callTimeoutMilliseconds: config.chainRpcTimeoutMs,
        maxBatch: config.chainRpcMaxBatch,
      },
      maxInFlightPerProject: config.chainRpcMaxInFlightPerProject,
    }),
    ...serviceAgentsRoutes(serviceAgents),
    ...modelsRoutes(config.providers),
    ...meRoutes({ store, devMode: !config.apiKey }),
    ...a2aRoutes(a2a),
  );

  const server = await createHttpServer({
    routes,
    authenticator,
    bodyLimit: config.bodyLimit,
    devMode: !config.apiKey,
    plugins: [
      // Uploads stream part by part into the blob store; the size limit is enforced while streaming.
      async (instance) => {
        await instance.register(multipart, {
          limits: {
            fileSize: config.fileSizeLimit,
            files: 2,
            fields: 16,
            parts: 20,
            fieldSize: 64 * 1024,
          },
        });
      },
      // The playground at `/`: a static single-page app that calls the same public API as any client.
      ...(config.playground === 'on'
        ? [staticSitePlugin({ root: PLAYGROUND_ROOT, apiPrefixes: ['/v1', '/health'] })]
        : []),
    ],
    logger: overrides.logger ?? { level: config.logLevel, redact: ['req.headers.authorization'] },
  });
  if (!config.apiKey) {
    server.log.warn(
      'DEV MODE: CONCIERGE_API_KEY is not set. Any bearer token is accepted and only loopback callers are served. Set CONCIERGE_API_KEY before exposing this server.',
    );
  }

  const models =
    overrides.models ??
    createAiSdkModelResolver({
      defaultBaseUrl: config.providerBaseUrl,
      defaultApiKey: config.providerApiKey,
      providers: config.providers,
      models: config.models,
      resilience: {
        attempts: 3,
        baseDelayMs: 500,
        maxDelayMs: 8000,
        idleTimeoutMs: config.modelTimeoutSeconds * 1000,
      },
    });
  const codeSessions = await createCodeSessions(config, server.log, overrides.codeSandboxBackends);
  const serverTools: ServerTool[] = [
    createFileSearchTool(fileSearch),
    createServiceAgentTool({
      store,
      runs: runsEngine,
      blobs,
      builtins: builtinAgents,
      remote: a2aClient,
    }),
  ];
  if (config.codeSandbox !== 'off')
    serverTools.push(createCodeInterpreterTool({ store, blobs, sessions: codeSessions.get }));
  worker = config.worker
    ? createWorker({
        bus,
        concurrency: config.workerConcurrency,
        leaseMs: config.leaseSeconds * 1000,
        threadFilesWaitSeconds: config.threadFilesWaitSeconds,
        dependencies: {
          store,
          bus,
          models,
          serverTools,
          counter: await loadTokenCounter(),
          loadImage: createImageLoader(store, blobs),
          toolResources: (record) => runToolResources(store, record),
          runExpirySeconds: config.runExpirySeconds,
          log: server.log,
        },
      })
    : undefined;
  // Listen before claiming, so no wake-up from another process is missed at start.
  await bus.ready;
  worker?.start();
  log = server.log;
  server.log.info(
    embedder
      ? `file_search: hybrid retrieval (keyword + ${config.embeddingModel} embeddings, vectors via ${await store.chunks.vectorBackend()})`
      : 'file_search: keyword-only retrieval (CONCIERGE_EMBEDDING_MODEL is unset)',
  );
  if (config.worker) {
    ingestion = createIngestionWorker({
      store,
      blobs,
      embedder,
      concurrency: config.ingestionConcurrency,
      leaseMilliseconds: config.leaseSeconds * 1000,
      parser,
      maxTokensPerFile,
      maxAttempts: config.ingestionMaxAttempts,
      log: server.log,
    });
    ingestion.start();
  }

  const sweepTimer = setInterval(() => {
    files
      .sweepExpired()
      .catch((error: unknown) => server.log.error({ err: error }, 'sweeping expired files failed'));
  }, 60_000);
  sweepTimer.unref();

  let closed = false;
  return {
    server,
    routes,
    store,
    bus,
    worker,
    config,
    log: server.log,
    fileSearch,
    builtinAgents,
    a2aClient,
    async listen() {
      await server.listen({ port: config.port, host: config.host });
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}/v1`;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweepTimer);
      // Stop accepting connections; streams already open keep receiving events while runs drain.
      const serverClosed = server.close();
      await Promise.all([worker?.stop(config.drainSeconds * 1000), ingestion?.stop()]);
      await parser.close();
      // Streams of runs that were handed back end here; their clients can resume on another node.
      server.server.closeAllConnections();
      await serverClosed;
      await codeSessions.close();
      await purchasing.close();
      await bus.close();
      await chain.close();
      await compiler.close();
      await store.close();
    },
  };
}

/**
 * The API: every resource's service, wired to what the other parts built, and the routes declared
 * for them (the OpenAPI document is generated from the same list).
 */
import { a2aRoutes } from '../api/a2a/a2a.routes.ts';
import { createA2aService } from '../api/a2a/a2a.service.ts';
import { assistantsRoutes } from '../api/assistants/assistants.routes.ts';
import { createAssistantsService } from '../api/assistants/assistants.service.ts';
import { chainRoutes } from '../api/chain/chain.routes.ts';
import { conversationsRoutes } from '../api/conversations/conversations.routes.ts';
import { createConversationsService } from '../api/conversations/conversations.service.ts';
import { conversationItemsRoutes } from '../api/conversations/items/conversation-items.routes.ts';
import { embeddingsRoutes } from '../api/embeddings/embeddings.routes.ts';
import { createEmbeddingsService } from '../api/embeddings/embeddings.service.ts';
import { containersRoutes } from '../api/containers/containers.routes.ts';
import {
  createContainersService,
  type ContainersService,
} from '../api/containers/containers.service.ts';
import { filesRoutes } from '../api/files/files.routes.ts';
import { createFilesService, type FilesService } from '../api/files/files.service.ts';
import { createMcpSessions, type McpSessions } from '../api/mcp/mcp-sessions.ts';
import { createMcpTools } from '../api/mcp/mcp-tools.ts';
import { mcpRoutes } from '../api/mcp/mcp.routes.ts';
import { meRoutes } from '../api/me/me.routes.ts';
import { modelsRoutes } from '../api/models/models.routes.ts';
import { apiKeysRoutes } from '../api/organization/projects/api-keys/api-keys.routes.ts';
import { createApiKeysService } from '../api/organization/projects/api-keys/api-keys.service.ts';
import { limitsRoutes } from '../api/organization/projects/limits/limits.routes.ts';
import { createLimitsService } from '../api/organization/projects/limits/limits.service.ts';
import { projectsRoutes } from '../api/organization/projects/projects.routes.ts';
import { usageRoutes } from '../api/organization/usage/usage.routes.ts';
import { createUsageService } from '../api/organization/usage/usage.service.ts';
import { createProjectsService } from '../api/organization/projects/projects.service.ts';
import { serviceAgentsRoutes } from '../api/service-agents/service-agents.routes.ts';
import { createServiceAgentsService } from '../api/service-agents/service-agents.service.ts';
import { systemRoutes } from '../api/system/system.routes.ts';
import { messagesRoutes } from '../api/threads/messages/messages.routes.ts';
import { createMessagesService } from '../api/threads/messages/messages.service.ts';
import { responsesRoutes } from '../api/responses/responses.routes.ts';
import { responsesSocketRoute } from '../api/responses/responses.socket.ts';
import { createResponsesService } from '../api/responses/responses.service.ts';
import { createInputTokensService } from '../api/responses/input-tokens.ts';
import { createCompactionService } from '../api/responses/response-compaction.ts';
import { runsRoutes } from '../api/threads/runs/runs.routes.ts';
import { createRunsService } from '../api/threads/runs/runs.service.ts';
import { stepsRoutes } from '../api/threads/runs/steps/steps.routes.ts';
import { threadsRoutes } from '../api/threads/threads.routes.ts';
import { createThreadsService } from '../api/threads/threads.service.ts';
import { fileBatchesRoutes } from '../api/vector-stores/file-batches/file-batches.routes.ts';
import { createFileBatchesService } from '../api/vector-stores/file-batches/file-batches.service.ts';
import { vectorStoreFilesRoutes } from '../api/vector-stores/files/vector-store-files.routes.ts';
import { createVectorStoreFilesService } from '../api/vector-stores/files/vector-store-files.service.ts';
import { vectorStoresRoutes } from '../api/vector-stores/vector-stores.routes.ts';
import { createVectorStoresService } from '../api/vector-stores/vector-stores.service.ts';
import type { Config } from '../config/config-schema.ts';
import { buildOpenApiDocument } from '../http/openapi.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { SocketRouteDefinition } from '../http/socket-route.ts';
import { createDirectAgentCalls } from '../service-agents/direct-call.ts';
import { readDocumentText } from '../tools/file-search/ingest-file.ts';
import { rewriteQuery } from '../tools/file-search/rewrite-query.ts';
import type { Persistence } from './persistence.ts';
import { responseFileReader } from './response-files.ts';
import type { Retrieval } from './retrieval.ts';
import type { RunEngine } from './run-engine.ts';
import type { ServiceAgentsPart } from './service-agents.ts';

export interface ApiRoutes {
  routes: RouteDefinition[];
  /** The WebSocket endpoints (the Responses API's WebSocket mode). */
  sockets: SocketRouteDefinition[];
  /** Deletes files past their `expires_at` (the sweep the composition schedules). */
  files: FilesService;
  /** The `/mcp` sessions this node holds (closed when it stops). */
  mcpSessions: McpSessions;
}

export interface ApiParts {
  persistence: Persistence;
  retrieval: Retrieval;
  agents: ServiceAgentsPart;
  engine: RunEngine;
  /** Access changed (a project or key was archived, created, …): forget cached keys. */
  onAccessChanged(): void;
}

export function createApiRoutes(config: Config, version: string, parts: ApiParts): ApiRoutes {
  const { store, blobs } = parts.persistence;
  const { fileSearch, onFilesQueued } = parts.retrieval;
  const { chain, builtinAgents, a2aClient, actionLeases, inputValidator } = parts.agents;
  const files = createFilesService({
    store,
    blobs,
    fileSizeLimit: config.fileSizeLimit,
    limits: parts.persistence.limits,
  });
  const projects = createProjectsService({ store, onAccessChanged: parts.onAccessChanged });
  const containers = createContainersService({
    store,
    blobs,
    fileSizeLimit: config.fileSizeLimit,
    limits: parts.persistence.limits,
    endSession: parts.engine.endCodeSession,
  });
  const conversation = conversationRoutes(parts, containers, config.fileSizeLimit);
  const directCalls = createDirectAgentCalls({
    store,
    builtins: builtinAgents,
    leases: actionLeases,
    inputValidator,
  });
  const vectorStores = createVectorStoresService({
    store,
    search: fileSearch,
    rewriteQuery,
    onFilesQueued,
  });
  const mcpSessions = createMcpSessions({
    version,
    tools: createMcpTools({ store, runs: parts.engine.runs, directCalls, vectorStores }),
  });
  const routes: RouteDefinition[] = [];
  let openApiDocument: unknown;
  routes.push(
    ...systemRoutes({
      store,
      openApiDocument: () => (openApiDocument ??= buildOpenApiDocument(routes, version)),
    }),
    ...conversation.routes,
    ...conversationsApiRoutes(store),
    ...filesRoutes(files),
    ...embeddingsRoutes(
      createEmbeddingsService(parts.retrieval.embedder, { store, limits: parts.engine.limits }),
    ),
    ...vectorStoresRoutes(vectorStores),
    ...vectorStoreFilesRoutes(
      createVectorStoreFilesService({
        store,
        onFilesQueued,
        readText: (projectId, fileId) =>
          readDocumentText({ store, blobs, parser: parts.retrieval.parser }, projectId, fileId),
      }),
    ),
    ...fileBatchesRoutes(createFileBatchesService({ store, onFilesQueued })),
    ...containersRoutes(containers),
    ...projectsRoutes(projects),
    ...limitsRoutes(createLimitsService({ store, projects, policy: parts.persistence.limits })),
    ...usageRoutes(
      createUsageService({ store, prices: config.prices, usagePrices: config.usagePrices }),
    ),
    ...apiKeysRoutes(
      createApiKeysService({ store, projects, onAccessChanged: parts.onAccessChanged }),
    ),
    ...chainRoutes(chain, {
      limits: {
        gasCap: BigInt(config.chainRpcGasCap),
        callTimeoutMilliseconds: config.chainRpcTimeoutMs,
        maxBatch: config.chainRpcMaxBatch,
      },
      maxInFlightPerProject: config.chainRpcMaxInFlightPerProject,
    }),
    ...serviceAgentsRoutes(
      createServiceAgentsService({
        store,
        builtins: builtinAgents,
        // An `a2a` agent's URL must be http(s) to an allowlisted host; its card is checked on first use.
        checkRemoteUrl: (url) => a2aClient.checkUrl(url),
        directCalls,
      }),
    ),
    ...modelsRoutes(config.providers),
    ...meRoutes({ store, devMode: !config.apiKey }),
    ...a2aRoutes(createA2aService({ store, runs: parts.engine.runs, version })),
    ...mcpRoutes(mcpSessions),
  );
  return { routes, sockets: conversation.sockets, files, mcpSessions };
}

/** Assistants, threads, messages, runs and their steps, over the engine's entry point for runs. */
function conversationRoutes(parts: ApiParts, containers: ContainersService, fileSizeLimit: number) {
  const { store } = parts.persistence;
  const { runs: engine, toolResources, messageAttachments } = parts.engine;
  const loaders = {
    image: parts.engine.loadImage,
    file: responseFileReader(parts.persistence, parts.retrieval, fileSizeLimit),
  };
  const threads = createThreadsService({ store, toolResources, engine });
  const runs = createRunsService({ store, engine });
  const responses = createResponsesService(
    store,
    engine,
    containers,
    loaders.file,
    parts.engine.mcp,
  );
  const routes: RouteDefinition[] = [
    ...assistantsRoutes(createAssistantsService({ store, toolResources })),
    ...threadsRoutes(threads),
    ...messagesRoutes(createMessagesService({ store, beforeCreate: messageAttachments })),
    ...runsRoutes(runs),
    ...stepsRoutes(runs),
    ...responsesRoutes(responses, {
      inputTokens: createInputTokensService(store, loaders),
      compaction: createCompactionService(store, parts.engine.models, loaders, parts.engine.limits),
    }),
  ];
  return { routes, sockets: [responsesSocketRoute(responses)] };
}

/** Conversations of the Responses API and their items. */
function conversationsApiRoutes(store: Persistence['store']): RouteDefinition[] {
  const conversations = createConversationsService({ store });
  return [...conversationsRoutes(conversations), ...conversationItemsRoutes(conversations)];
}

/**
 * The run engine: the model providers, the server tools (file_search, service_agent, code_interpreter)
 * and, on a node that runs workers, the worker that claims queued runs. Nothing starts here.
 */
import {
  createMessageAttachments,
  messageHasFiles,
  type MessageFilesHook,
} from '../api/shared/message-attachments.ts';
import {
  createToolResourcesResolver,
  type ToolResourcesResolver,
} from '../api/shared/tool-resources.ts';
import type { Config } from '../config/config-schema.ts';
import {
  createRunLimits,
  createRunsEngine,
  withSettledHooks,
  type RunLimits,
  type RunSettledHook,
  type RunsEngine,
} from '../engine/runs-engine.ts';
import { createResponseHistory } from '../api/responses/response-history.ts';
import {
  conversationLeaseRenewal,
  conversationSettled,
} from '../api/conversations/conversation-turn.ts';
import { responseSettled } from '../api/responses/response-settled.ts';
import { createImageLoader } from '../engine/image-loader.ts';
import type { ResponseImageLoader } from '../api/responses/response-history.ts';
import { lazyTokenCounter } from '../engine/token-counter.ts';
import { runToolResources } from '../engine/tool-resources.ts';
import { createWorker, type Worker } from '../engine/worker.ts';
import type { ModelResolver } from '../models/language-model.ts';
import { createServiceAgentTool } from '../service-agents/service-agent-tool.ts';
import { createCodeInterpreterTool } from '../tools/code-interpreter/code-interpreter-tool.ts';
import { createCodeSessions } from '../tools/code-interpreter/code-sessions.ts';
import { createFileSearchTool } from '../tools/file-search/file-search-tool.ts';
import type { ServerTool } from '../tools/tool.ts';
import type { AppOverrides } from './app-types.ts';
import type { CloserStack } from './closer-stack.ts';
import { createMcpClientPart, type McpClientPart } from './mcp-client.ts';
import type { Metrics } from './metrics.ts';
import { createModelProviders } from './model-providers.ts';
import { observedModels } from './metrics-observers.ts';
import type { RelayLog } from './log-relay.ts';
import type { Persistence } from './persistence.ts';
import type { Tracing } from './tracing.ts';
import { tracedModels, tracedServerTools } from './tracing-observers.ts';
import { tracedFetch } from '../telemetry/trace-propagation.ts';
import { responseFileReader } from './response-files.ts';
import type { Retrieval } from './retrieval.ts';
import type { ServiceAgentsPart } from './service-agents.ts';

/**
 * Retries of a model call that fails before its first part (429, 5xx, network): three attempts, with
 * backoff from half a second up to 8 s, so a brief outage or rate limit does not fail the run while
 * a real outage still fails it within about 10 s.
 */
export const MODEL_RETRY = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8000 } as const;

export interface RunEngine {
  models: ModelResolver;
  /** The one entry point for runs: the API, A2A and delegation start and follow runs through it. */
  runs: RunsEngine;
  /** Checks and resolves `tool_resources` ids in the caller's project (the API's input checks). */
  toolResources: ToolResourcesResolver;
  /** Checks a new message's files; puts file_search attachments into the thread's vector store. */
  messageAttachments: MessageFilesHook;
  /** Closes the code session of a key (a container id) on this node, if one is open. */
  endCodeSession(key: string): Promise<void>;
  /** Reads an image file of a project for a model (a response's `input_image` with a file id). */
  loadImage: ResponseImageLoader;
  /** The run worker of this process, when `config.worker` is on; not started yet. */
  worker: Worker | undefined;
  /** How the Responses API lists MCP servers and seals their secrets. */
  mcp: McpClientPart['responses'];
  /** Tokens per day and concurrent runs; model calls outside runs (compactions) meet them too. */
  limits: RunLimits;
}

export async function createRunEngine(
  config: Config,
  overrides: AppOverrides,
  closers: CloserStack,
  log: RelayLog,
  parts: {
    persistence: Persistence;
    retrieval: Retrieval;
    agents: ServiceAgentsPart;
    metrics: Metrics | undefined;
    tracing: Tracing | undefined;
  },
): Promise<RunEngine> {
  const { store, blobs, bus } = parts.persistence;
  const { builtinAgents, a2aClient, actionLeases, inputValidator } = parts.agents;
  const { metrics, tracing } = parts;
  const configuredModels =
    overrides.models ??
    (await createModelProviders(
      config,
      { ...MODEL_RETRY, idleTimeoutMs: config.modelTimeoutSeconds * 1000 },
      closers,
      log,
      // With tracing on, each provider request carries its model call's trace context.
      tracing ? tracedFetch((input, init) => fetch(input, init)) : undefined,
    ));
  const spannedModels = tracing
    ? tracedModels(configuredModels, config, tracing.captureContent)
    : configuredModels;
  const models = metrics ? observedModels(spannedModels, metrics) : spannedModels;
  const { onFilesQueued } = parts.retrieval;
  const toolResources = createToolResourcesResolver({ onFilesQueued });
  const messageAttachments = createMessageAttachments({ onFilesQueued });
  // Built below (on nodes that run one); a run created before then, or on an API-only node, is queued.
  let worker: Worker | undefined;
  // Responses materialize their object when their run settles (see api/responses/).
  // The conversation's hook reads the response its predecessor materialized.
  const settled: RunSettledHook[] = [responseSettled, conversationSettled];
  const loadImage = createImageLoader(store, blobs);
  const limits = createRunLimits(parts.persistence.limits);
  const runs = createRunsEngine({
    store,
    bus,
    inputs: {
      message: messageAttachments,
      messageChecks: messageHasFiles,
      toolResources: (transaction, projectId, input) =>
        toolResources.resolve(transaction, projectId, input, []),
    },
    runExpirySeconds: config.runExpirySeconds,
    // A run created here goes straight to this process's worker when it has room; else the queue.
    handOff: { setupTurn: () => worker?.setupTurn(), reserve: () => worker?.reserve() },
    settled,
    limits,
  });
  const codeSessions = await createCodeSessions(config, log, overrides.codeSandboxBackends);
  closers.push('code sessions', () => codeSessions.close());
  metrics?.watchCodeSessions(() => codeSessions.active());
  const serverTools: ServerTool[] = [
    createFileSearchTool(parts.retrieval.fileSearch),
    createServiceAgentTool({
      store,
      runs,
      blobs,
      builtins: builtinAgents,
      remote: a2aClient,
      leases: actionLeases,
      inputValidator,
    }),
  ];
  if (config.codeSandbox !== 'off')
    serverTools.push(createCodeInterpreterTool({ store, blobs, sessions: codeSessions.get }));
  // With tracing on, each MCP request carries the trace context of the run that sent it.
  const mcp = createMcpClientPart(
    config,
    tracing ? tracedFetch((input, init) => fetch(input, init)) : undefined,
  );
  serverTools.push(mcp.tool);
  const tracedTools = tracing
    ? tracedServerTools(serverTools, tracing.captureContent)
    : serverTools;
  const engine = {
    models,
    runs,
    toolResources,
    messageAttachments,
    endCodeSession: codeSessions.end,
    loadImage,
    mcp: mcp.responses,
    limits,
  };
  if (!config.worker) return { ...engine, worker: undefined };
  worker = createWorker({
    bus,
    concurrency: config.workerConcurrency,
    leaseMs: config.leaseSeconds * 1000,
    threadFilesWaitSeconds: config.threadFilesWaitSeconds,
    onTakeover: metrics && (() => metrics.leaseTakeover()),
    // A background response may outlast its conversation's lease: its worker renews it.
    onHeartbeat: conversationLeaseRenewal(store),
    dependencies: {
      store: withSettledHooks(store, settled),
      history: createResponseHistory(store, {
        image: loadImage,
        file: responseFileReader(parts.persistence, parts.retrieval, config.fileSizeLimit),
      }),
      bus,
      models,
      serverTools: tracedTools,
      counter: lazyTokenCounter(),
      loadImage,
      toolResources: (record) => runToolResources(store, record),
      runExpirySeconds: config.runExpirySeconds,
      limits,
      log,
    },
  });
  return { ...engine, worker };
}

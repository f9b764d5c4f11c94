/**
 * The run engine: the model providers, the server tools (file_search, service_agent, code_interpreter)
 * and, on a node that runs workers, the worker that claims queued runs. Nothing starts here.
 */
import type { Config } from '../config/config-schema.ts';
import { createImageLoader } from '../engine/image-loader.ts';
import { loadTokenCounter } from '../engine/token-counter.ts';
import { runToolResources } from '../engine/tool-resources.ts';
import { createWorker, type Worker } from '../engine/worker.ts';
import { createAiSdkModelResolver } from '../models/ai-sdk/ai-sdk-model-resolver.ts';
import type { ModelResolver } from '../models/language-model.ts';
import { createServiceAgentTool } from '../service-agents/service-agent-tool.ts';
import { createCodeInterpreterTool } from '../tools/code-interpreter/code-interpreter-tool.ts';
import { createCodeSessions } from '../tools/code-interpreter/code-sessions.ts';
import { createFileSearchTool } from '../tools/file-search/file-search-tool.ts';
import type { ServerTool } from '../tools/tool.ts';
import type { AppOverrides } from './app-types.ts';
import type { CloserStack } from './closer-stack.ts';
import type { RelayLog } from './log-relay.ts';
import type { Persistence } from './persistence.ts';
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
  /** The run worker of this process, when `config.worker` is on; not started yet. */
  worker: Worker | undefined;
}

export async function createRunEngine(
  config: Config,
  overrides: AppOverrides,
  closers: CloserStack,
  log: RelayLog,
  parts: { persistence: Persistence; retrieval: Retrieval; agents: ServiceAgentsPart },
): Promise<RunEngine> {
  const { store, blobs, bus } = parts.persistence;
  const { builtinAgents, a2aClient } = parts.agents;
  const models =
    overrides.models ??
    createAiSdkModelResolver({
      defaultBaseUrl: config.providerBaseUrl,
      defaultApiKey: config.providerApiKey,
      providers: config.providers,
      models: config.models,
      resilience: { ...MODEL_RETRY, idleTimeoutMs: config.modelTimeoutSeconds * 1000 },
    });
  const codeSessions = await createCodeSessions(config, log, overrides.codeSandboxBackends);
  closers.push('code sessions', () => codeSessions.close());
  const serverTools: ServerTool[] = [
    createFileSearchTool(parts.retrieval.fileSearch),
    createServiceAgentTool({
      store,
      bus,
      blobs,
      builtins: builtinAgents,
      remote: a2aClient,
      runExpirySeconds: config.runExpirySeconds,
    }),
  ];
  if (config.codeSandbox !== 'off')
    serverTools.push(createCodeInterpreterTool({ store, blobs, sessions: codeSessions.get }));
  if (!config.worker) return { models, worker: undefined };
  const worker = createWorker({
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
      log,
    },
  });
  return { models, worker };
}

/**
 * The one configuration schema. Every setting has exactly one name here, one environment variable
 * (listed in `ENVIRONMENT_VARIABLES`) and one default. `load-config.ts` is the only reader.
 */
import { z } from 'zod';
import { parseHostPattern } from './host-pattern.ts';
import { ModelPriceSchema, UsagePricesSchema } from './price-tables.ts';
import { PurchasingConfigSchema } from './purchasing-config.ts';
import { Secret } from './secret.ts';
import { STORAGE_ENVIRONMENT_VARIABLES, StorageConfigShape } from './storage-config.ts';

export type { ModelPrice, UsagePrices } from './price-tables.ts';
import { TRACING_ENVIRONMENT_VARIABLES, TracingConfigShape } from './tracing-config.ts';

/** A named upstream model provider from `concierge.config.json` (`"ollama/llama3.2"` routes to `ollama`). */
export const ProviderConfigSchema = z.strictObject({
  type: z.enum(['openai-compatible', 'openai', 'anthropic']).default('openai-compatible'),
  baseURL: z.string().url().optional(),
  apiKey: z.string().optional(),
  /** Models of this provider that accept image input. Unset means "assume yes". */
  visionModels: z.array(z.string()).optional(),
  /** Context windows (tokens) per model, overriding the built-in table. */
  contextWindows: z.record(z.string(), z.number().int().positive()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Models this provider offers, listed by `GET /v1/models` (the playground's picker); routing does not depend on it. */
  models: z.array(z.string().min(1)).optional(),
});
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

/**
 * A provider that runs GGUF models in this process with llama.cpp (the optional package
 * `node-llama-cpp`): `"local/qwen"` runs the file `gguf.qwen` points at. See docs/local-models.md.
 */
export const LlamaCppProviderConfigSchema = z.strictObject({
  type: z.literal('llama-cpp'),
  /** Model name → path of its GGUF file (relative paths are read from the working directory). */
  gguf: z
    .record(z.string().regex(/^[A-Za-z0-9._:-]+$/), z.string().min(1))
    .refine((files) => Object.keys(files).length > 0, 'must name at least one model file'),
  /** CPU threads of one generation. One by default: two collapse when the other core is busy. */
  threads: z.number().int().min(1).max(256).default(1),
  /** Tokens of context each generation has (prompt and answer); the model's context window here. */
  contextSize: z.number().int().min(256).default(4096),
  /** Generations of one model that run at once; more wait in line for a free slot. */
  maxConcurrentGenerations: z.number().int().min(1).max(64).default(1),
});
export type LlamaCppProviderConfig = z.infer<typeof LlamaCppProviderConfigSchema>;

/** Any entry of `providers`: an upstream (`type` defaults to `openai-compatible`) or llama-cpp. */
export const ConfiguredProviderSchema = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && !('type' in value)
      ? { ...value, type: 'openai-compatible' }
      : value,
  z.discriminatedUnion('type', [ProviderConfigSchema, LlamaCppProviderConfigSchema]),
);
export type ConfiguredProvider = ProviderConfig | LlamaCppProviderConfig;

/**
 * What the server should assume about one model (`models` in `concierge.config.json`, keyed by the
 * model name assistants use). It wins over a provider's `contextWindows`/`visionModels` and the
 * built-in table.
 */
export const ModelConfigSchema = z.strictObject({
  /** Context window in tokens (prompt and answer together). */
  context_window: z.number().int().positive().optional(),
  /** Most tokens the model writes in one answer. */
  max_output_tokens: z.number().int().positive().optional(),
  /** Whether the model accepts images. */
  vision: z.boolean().optional(),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** A default limit: unset is no limit. Projects and keys may set their own (the admin API). */
const limit = (minimum: number) => z.coerce.number().int().min(minimum).optional();

/**
 * Default limits of every project and of every project key (`docs/operations.md`); a request must
 * be within both its project's and its key's.
 */
const LIMIT_DEFAULTS_SHAPE = {
  /** Requests per minute (UTC minute windows) of one project, across all nodes. */
  projectRequestsPerMinute: limit(0),
  /** Model tokens (in and out) per UTC day of one project. */
  projectTokensPerDay: limit(0),
  /** Runs and responses queued or in progress at once in one project. */
  projectConcurrentRuns: limit(0),
  /** Bytes of files one project may store. */
  projectStoredBytes: limit(0),
  keyRequestsPerMinute: limit(0),
  keyTokensPerDay: limit(0),
  keyConcurrentRuns: limit(0),
  keyStoredBytes: limit(0),
};

/** A list of host patterns (`host`, `host:port`, `*.domain`), comma-separated in the environment. */
function hostPatterns() {
  return z
    .preprocess(
      (value) =>
        typeof value === 'string'
          ? value
              .split(',')
              .map((entry) => entry.trim())
              .filter((entry) => entry !== '')
          : value,
      z.array(
        z.string().refine((entry) => parseHostPattern(entry) !== undefined, {
          error: (issue) =>
            `'${String(issue.input)}' is not a host pattern (a host, host:port or *.domain, without a scheme or path)`,
        }),
      ),
    )
    .optional();
}

export const ConfigSchema = z.strictObject({
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  host: z.string().min(1).default('127.0.0.1'),
  databaseUrl: z.string().min(1).default('sqlite:.concierge/concierge.db'),
  dataDir: z.string().min(1).default('.concierge'),
  /** Connections per process in the PostgreSQL pool (SQLite ignores it). */
  databasePoolSize: z.coerce.number().int().positive().default(10),
  /** Seconds after which PostgreSQL cancels a statement (SQLite ignores it). */
  databaseStatementTimeoutSeconds: z.coerce.number().positive().default(30),
  /** The admin key. Unset means dev mode: loopback only, any bearer accepted. */
  apiKey: z.string().min(8).optional(),
  providerBaseUrl: z.string().url().default('https://api.openai.com/v1'),
  providerApiKey: z.string().optional(),
  /**
   * The embedding model of hybrid file search: `local:use-lite` (built in, the default), `none`
   * (keyword-only), or a model name served at `providerBaseUrl`'s `/v1/embeddings`.
   */
  embeddingModel: z.string().min(1).default('local:use-lite'),
  /** Worker threads of the built-in embedder (each holds the model, about 300 MB). */
  embeddingThreads: z.coerce.number().int().min(1).max(4).default(1),
  /**
   * MiB of decoded vectors each process holds for vector search (stores beyond it are scanned in
   * SQL); 0 holds none.
   */
  vectorCacheMb: z.coerce.number().int().min(0).default(256),
  codeSandbox: z.enum(['auto', 'bwrap', 'pyodide', 'off']).default('auto'),
  /** Seconds a code_interpreter session (variables and files) lives without use before it is reset and deleted. */
  codeSessionIdleSeconds: z.coerce.number().int().positive().default(1200),
  /** Most code_interpreter sessions (one Python process each, about 100 MB) open at once. */
  codeMaxSessions: z.coerce.number().int().positive().default(16),
  /**
   * Most code_interpreter sessions one project may hold at once; unset means `codeMaxSessions`. When
   * projects compete, each may also evict only projects above their fair share of `codeMaxSessions`.
   */
  codeMaxSessionsPerProject: z.coerce.number().int().positive().optional(),
  chainRpcUrl: z.string().url().optional(),
  /**
   * The key that signs transactions on `chainRpcUrl` (the dev chain uses its own publicly known dev key).
   * Held as a `Secret`, so printing the config never shows it.
   */
  chainPrivateKey: z
    .string()
    .regex(
      /^(0x)?[0-9a-fA-F]{64}$/,
      'must be a 32-byte hex private key (64 hex digits, optionally 0x-prefixed)',
    )
    .transform((key) => new Secret(key.startsWith('0x') ? key : `0x${key}`))
    .optional(),
  /**
   * US dollars per ether, to value deployments' gas for service-agent spending policies. Unset: 0 on the
   * dev chain (its ether is worthless); on an RPC chain, deployments cannot be valued and are refused.
   */
  chainEthPriceUsd: z.coerce.number().nonnegative().optional(),
  /**
   * The most gas a call through `/v1/chain/rpc` (`eth_call`, `eth_estimateGas`, `eth_createAccessList`)
   * runs with: set when the caller names none, lowered when it names more. It bounds a call's CPU time
   * on the embedded chain: 2M gas of a tight loop took 0.1–0.4 s of CPU on a loaded 2-core machine (5M:
   * 0.3–1.6 s; the default without a cap, 60M: 6–9 s).
   */
  chainRpcGasCap: z.coerce.number().int().min(21_000).default(2_000_000),
  /** Milliseconds one `/v1/chain/rpc` call may wait and run before it is answered with -32002. */
  chainRpcTimeoutMs: z.coerce.number().int().positive().default(5_000),
  /** The most requests one `/v1/chain/rpc` JSON-RPC batch may hold. */
  chainRpcMaxBatch: z.coerce.number().int().positive().default(100),
  /** The most `/v1/chain/rpc` requests one project may have in flight per server; more get HTTP 429. */
  chainRpcMaxInFlightPerProject: z.coerce.number().int().positive().default(4),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest accepted JSON request body, in bytes. */
  bodyLimit: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** Seconds a run may stay in `requires_action` before it expires. */
  runExpirySeconds: z.coerce.number().int().positive().default(600),
  /** Whether this process claims and executes runs (`concierge serve --no-worker` turns it off). */
  worker: z.boolean().default(true),
  /** How many runs one worker process executes at once. */
  workerConcurrency: z.coerce.number().int().positive().default(256),
  /** Seconds a stopping server waits for running runs before handing them back to other workers. */
  drainSeconds: z.coerce.number().min(0).default(10),
  /** Seconds a run's or an executing action's lease lasts without a heartbeat before a takeover. */
  leaseSeconds: z.coerce.number().int().positive().default(30),
  /** Upper bound, in seconds, for one model call to make progress before it counts as stalled. */
  modelTimeoutSeconds: z.coerce.number().positive().default(120),
  /** Largest accepted file upload, in bytes. */
  fileSizeLimit: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  /** How many files one process parses, chunks and embeds at once. */
  ingestionConcurrency: z.coerce.number().int().positive().max(64).default(2),
  /** Largest file, in tokens, that file search indexes (OpenAI's limit is 5,000,000); larger files fail with `last_error`. */
  fileSearchMaxTokensPerFile: z.coerce.number().int().positive().default(5_000_000),
  /** Most characters of text extracted from one file; a file with more fails with `last_error`. */
  fileSearchMaxCharactersPerFile: z.coerce.number().int().positive().default(20_000_000),
  /** Most chunks one file may be cut into; a file that would make more fails with `last_error`. */
  fileSearchMaxChunksPerFile: z.coerce.number().int().positive().default(20_000),
  /** Heap, in MB, of the worker thread that parses one file; a parse that needs more fails the file. */
  fileParseMemoryMb: z.coerce.number().int().min(32).default(512),
  /** Seconds one file's parse and chunking may take before its worker is stopped and the file fails. */
  fileParseTimeoutSeconds: z.coerce.number().positive().default(120),
  /** Most pages of a PDF that file search reads. */
  fileParseMaxPdfPages: z.coerce.number().int().positive().default(10_000),
  /** Most bytes the entries of a DOCX (a ZIP) may inflate to, together. */
  fileParseMaxUncompressedBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /** Most entries in a DOCX (a ZIP). */
  fileParseMaxZipEntries: z.coerce.number().int().positive().default(10_000),
  /** Claims of one ingestion job (each counted when claimed) before a file that keeps killing its worker fails. */
  ingestionMaxAttempts: z.coerce.number().int().positive().default(3),
  /**
   * Where Prometheus metrics are served: `off`; `on` (`GET /metrics` on the API's port, behind
   * `metricsToken`, else the admin key); or `host:port`, a listener of its own without auth, for a
   * network only the scraper reaches (`concierge worker` has no other HTTP port).
   */
  metrics: z
    .string()
    .refine((value) => value === 'off' || value === 'on' || parseListenAddress(value), {
      error: (issue) =>
        `'${String(issue.input)}' is not off, on, or a host:port to listen on (e.g. 127.0.0.1:9464)`,
    })
    .default('off'),
  /** The bearer token `GET /metrics` asks for when `metrics` is `on`; unset means the admin key. */
  metricsToken: z
    .string()
    .min(16)
    .transform((token) => new Secret(token))
    .optional(),
  /** Whether `/` serves the playground web UI (`web/dist`); `off` leaves only the API. */
  playground: z.enum(['on', 'off']).default('on'),
  providers: z
    .record(z.string().regex(/^[a-zA-Z0-9_-]+$/), ConfiguredProviderSchema)
    .refine((providers) => providers['default']?.type !== 'llama-cpp', {
      error: 'the provider named "default" cannot be llama-cpp: name it, and use "<name>/<model>"',
    })
    .default({}),
  /** The price table of `GET /v1/organization/costs`, by model name as runs name it; unlisted models cost nothing there. */
  prices: z.record(z.string().min(1), ModelPriceSchema).default({}),
  /** Prices of code interpreter sessions and time, and of stored bytes, in `GET /v1/organization/costs`. */
  usagePrices: UsagePricesSchema.default({}),
  /** Per-model context window, answer limit and image input, by model name (`ollama/llama3.2` or `gpt-4o`). */
  models: z.record(z.string().min(1), ModelConfigSchema).default({}),
  /**
   * Seconds a new run waits (queued, holding no worker) for files still being indexed in its thread's
   * vector stores before it starts anyway.
   */
  threadFilesWaitSeconds: z.coerce.number().int().min(0).default(60),
  /**
   * Hosts the A2A client may contact (`host`, `host:port`, `*.domain`); a comma-separated list in the
   * environment. Unset: loopback hosts in dev mode (no `apiKey`), no host otherwise.
   */
  a2aAllowedHosts: hostPatterns(),
  /**
   * Hosts the `mcp` tool may reach (same format as `a2aAllowedHosts`); a comma-separated list in the
   * environment. Unset: loopback hosts in dev mode (no `apiKey`), no host otherwise. A name must also
   * resolve to public addresses, or to addresses listed here.
   */
  mcpAllowedHosts: hostPatterns(),
  /** Seconds one MCP listing or tool call may take, connection included. */
  mcpTimeoutSeconds: z.coerce.number().positive().default(30),
  /** Largest body, in bytes, an MCP server may send in one HTTP response. */
  mcpMaxResponseBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /**
   * MCP servers the operator runs on this machine over stdio, by name: users reach one as
   * `server_url: "stdio:<name>"` and never name a command (config file only).
   */
  mcpServers: z
    .record(
      z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
      z.strictObject({
        command: z.string().min(1),
        args: z.array(z.string()).optional(),
        env: z.record(z.string(), z.string()).optional(),
        cwd: z.string().optional(),
      }),
    )
    .default({}),
  /**
   * The key that seals secrets clients give for later use (`mcp` tool headers); any string of 32+
   * characters. Unset: a key drawn at start, so sealed secrets do not survive a restart or reach
   * another node (set the same key on every node of a cluster).
   */
  secretsKey: z
    .string()
    .min(32)
    .transform((key) => new Secret(key))
    .optional(),
  /** The purchasing service agent: allowlisted merchants, the demo merchant, the per-purchase ceiling. */
  purchasing: PurchasingConfigSchema.default({
    merchants: [],
    demoMerchant: 'auto',
    maxPurchaseUsd: 50,
  }),
  ...StorageConfigShape,
  ...TracingConfigShape,
  ...LIMIT_DEFAULTS_SHAPE,
});
export type Config = z.infer<typeof ConfigSchema>;

/** `host:port` (`[::1]:9464` for IPv6) as a listen address, or undefined when it is not one. */
export function parseListenAddress(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Environment variable for each setting that can come from the environment. */
export const ENVIRONMENT_VARIABLES = {
  port: 'PORT',
  host: 'HOST',
  databaseUrl: 'CONCIERGE_DATABASE_URL',
  dataDir: 'CONCIERGE_DATA_DIR',
  databasePoolSize: 'CONCIERGE_DATABASE_POOL_SIZE',
  databaseStatementTimeoutSeconds: 'CONCIERGE_DATABASE_STATEMENT_TIMEOUT_SECONDS',
  apiKey: 'CONCIERGE_API_KEY',
  providerBaseUrl: 'CONCIERGE_PROVIDER_BASE_URL',
  providerApiKey: 'CONCIERGE_PROVIDER_API_KEY',
  embeddingModel: 'CONCIERGE_EMBEDDING_MODEL',
  embeddingThreads: 'CONCIERGE_EMBEDDING_THREADS',
  vectorCacheMb: 'CONCIERGE_VECTOR_CACHE_MB',
  codeSandbox: 'CONCIERGE_CODE_SANDBOX',
  codeSessionIdleSeconds: 'CONCIERGE_CODE_SESSION_IDLE_SECONDS',
  codeMaxSessions: 'CONCIERGE_CODE_MAX_SESSIONS',
  codeMaxSessionsPerProject: 'CONCIERGE_CODE_MAX_SESSIONS_PER_PROJECT',
  chainRpcUrl: 'CONCIERGE_CHAIN_RPC_URL',
  chainPrivateKey: 'CONCIERGE_CHAIN_PRIVATE_KEY',
  chainEthPriceUsd: 'CONCIERGE_CHAIN_ETH_PRICE_USD',
  chainRpcGasCap: 'CONCIERGE_CHAIN_RPC_GAS_CAP',
  chainRpcTimeoutMs: 'CONCIERGE_CHAIN_RPC_TIMEOUT_MS',
  chainRpcMaxBatch: 'CONCIERGE_CHAIN_RPC_MAX_BATCH',
  chainRpcMaxInFlightPerProject: 'CONCIERGE_CHAIN_RPC_MAX_IN_FLIGHT_PER_PROJECT',
  logLevel: 'CONCIERGE_LOG_LEVEL',
  bodyLimit: 'CONCIERGE_BODY_LIMIT',
  runExpirySeconds: 'CONCIERGE_RUN_EXPIRY_SECONDS',
  workerConcurrency: 'CONCIERGE_WORKER_CONCURRENCY',
  leaseSeconds: 'CONCIERGE_LEASE_SECONDS',
  drainSeconds: 'CONCIERGE_DRAIN_SECONDS',
  modelTimeoutSeconds: 'CONCIERGE_MODEL_TIMEOUT_SECONDS',
  fileSizeLimit: 'CONCIERGE_FILE_SIZE_LIMIT',
  ingestionConcurrency: 'CONCIERGE_INGESTION_CONCURRENCY',
  fileSearchMaxTokensPerFile: 'CONCIERGE_FILE_SEARCH_MAX_TOKENS_PER_FILE',
  fileSearchMaxCharactersPerFile: 'CONCIERGE_FILE_SEARCH_MAX_CHARACTERS_PER_FILE',
  fileSearchMaxChunksPerFile: 'CONCIERGE_FILE_SEARCH_MAX_CHUNKS_PER_FILE',
  fileParseMemoryMb: 'CONCIERGE_FILE_PARSE_MEMORY_MB',
  fileParseTimeoutSeconds: 'CONCIERGE_FILE_PARSE_TIMEOUT_SECONDS',
  fileParseMaxPdfPages: 'CONCIERGE_FILE_PARSE_MAX_PDF_PAGES',
  fileParseMaxUncompressedBytes: 'CONCIERGE_FILE_PARSE_MAX_UNCOMPRESSED_BYTES',
  fileParseMaxZipEntries: 'CONCIERGE_FILE_PARSE_MAX_ZIP_ENTRIES',
  ingestionMaxAttempts: 'CONCIERGE_INGESTION_MAX_ATTEMPTS',
  a2aAllowedHosts: 'CONCIERGE_A2A_ALLOWED_HOSTS',
  mcpAllowedHosts: 'CONCIERGE_MCP_ALLOWED_HOSTS',
  mcpTimeoutSeconds: 'CONCIERGE_MCP_TIMEOUT_SECONDS',
  mcpMaxResponseBytes: 'CONCIERGE_MCP_MAX_RESPONSE_BYTES',
  secretsKey: 'CONCIERGE_SECRETS_KEY',
  threadFilesWaitSeconds: 'CONCIERGE_THREAD_FILES_WAIT_SECONDS',
  playground: 'CONCIERGE_PLAYGROUND',
  ...STORAGE_ENVIRONMENT_VARIABLES,
  metrics: 'CONCIERGE_METRICS',
  metricsToken: 'CONCIERGE_METRICS_TOKEN',
  ...TRACING_ENVIRONMENT_VARIABLES,
  projectRequestsPerMinute: 'CONCIERGE_PROJECT_REQUESTS_PER_MINUTE',
  projectTokensPerDay: 'CONCIERGE_PROJECT_TOKENS_PER_DAY',
  projectConcurrentRuns: 'CONCIERGE_PROJECT_CONCURRENT_RUNS',
  projectStoredBytes: 'CONCIERGE_PROJECT_STORED_BYTES',
  keyRequestsPerMinute: 'CONCIERGE_KEY_REQUESTS_PER_MINUTE',
  keyTokensPerDay: 'CONCIERGE_KEY_TOKENS_PER_DAY',
  keyConcurrentRuns: 'CONCIERGE_KEY_CONCURRENT_RUNS',
  keyStoredBytes: 'CONCIERGE_KEY_STORED_BYTES',
} as const satisfies Partial<Record<keyof Config, string>>;

/**
 * Table shapes as Kysely sees them. Both dialects store the same columns: JSON as text, times as
 * integer Unix seconds, booleans as 0/1 integers. Rows become API objects in the repository files.
 */
import type { ColumnType, Generated } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

export interface ProjectsTable {
  id: string;
  name: string;
  created_at: number;
  archived_at: number | null;
}

export interface ApiKeysTable {
  id: string;
  project_id: string;
  name: string;
  key_hash: string;
  redacted_value: string;
  created_at: number;
  last_used_at: number | null;
}

export interface AssistantsTable {
  id: string;
  project_id: string;
  created_at: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  tools: string;
  tool_resources: string | null;
  metadata: string;
  temperature: number | null;
  top_p: number | null;
  response_format: string | null;
  reasoning_effort: string | null;
}

export interface ThreadsTable {
  id: string;
  project_id: string;
  created_at: number;
  tool_resources: string | null;
  metadata: string;
}

/** A message is stored whole as JSON (`object`); the other columns exist to find and order it. */
export interface MessagesTable {
  id: string;
  project_id: string;
  thread_id: string;
  created_at: number;
  run_id: string | null;
  object: string;
}

export interface ConversationsTable {
  id: string;
  project_id: string;
  created_at: number;
  metadata: string;
  next_position: Generated<number>;
  active_response_id: string | null;
  locked_until: number | null;
}

/** A conversation item is stored whole as JSON (`object`); `position` is its place in the order. */
export interface ConversationItemsTable {
  conversation_id: string;
  position: number;
  id: string;
  project_id: string;
  created_at: number;
  type: string;
  object: string;
}

export interface RunsTable {
  id: string;
  project_id: string;
  thread_id: string;
  assistant_id: string;
  created_at: number;
  status: string;
  expires_at: number | null;
  locked_by: string | null;
  lease_until: number | null;
  object: string;
  options: string;
  /** The project key that asked for the run (migration 0016); null before it or without one. */
  api_key_id?: string | null;
}

export interface RunStepsTable {
  id: string;
  project_id: string;
  run_id: string;
  created_at: number;
  object: string;
  transcript: string | null;
}

export interface RunEventsTable {
  run_id: string;
  seq: number;
  event: string;
  data: string;
}

export interface ResponsesTable {
  id: string;
  project_id: string;
  created_at: number;
  status: string;
  run_id: string;
  thread_id: string;
  after_seq: number;
  previous_response_id: string | null;
  object: string;
  input: string;
}

export interface FilesTable {
  id: string;
  project_id: string;
  created_at: number;
  bytes: number;
  filename: string;
  purpose: string;
  content_type: string;
  expires_at: number | null;
  /** The project key that uploaded the file (migration 0016). */
  api_key_id?: string | null;
}

export interface VectorStoresTable {
  id: string;
  project_id: string;
  created_at: number;
  name: string | null;
  description: string | null;
  metadata: string;
  expires_after: string | null;
  last_active_at: number | null;
  /** The model whose vectors its searches use; null: the configured one (see migration 0015). */
  embedding_model: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface VectorStoreFileBatchesTable {
  id: string;
  project_id: string;
  vector_store_id: string;
  created_at: number;
  cancelled_at: number | null;
}

export interface VectorStoreFilesTable {
  vector_store_id: string;
  id: string;
  project_id: string;
  created_at: number;
  status: string;
  usage_bytes: number;
  last_error: string | null;
  chunking_strategy: string;
  attributes: string;
  batch_id: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  /** The model that embedded the file's chunks; null when none did. */
  embedding_model: ColumnType<string | null, string | null | undefined, string | null>;
  /** Changes whenever the file's rows of `chunk_embeddings` do (a trigger sets it); null: none yet. */
  vectors_version: ColumnType<number | null, never, never>;
}

export interface ChunksTable {
  id: Generated<number>;
  vector_store_id: string;
  file_id: string;
  chunk_index: number;
  text: string;
}

export interface ChunkEmbeddingsTable {
  chunk_id: number;
  /** Which window of the chunk (0 for a chunk the model read whole). */
  window_index: number;
  vector_store_id: string;
  file_id: string;
  model: string;
  /** A float32 blob on SQLite, `real[]` on Postgres. */
  embedding: Buffer | number[];
}

export interface EmbeddingCacheTable {
  model: string;
  content_hash: string;
  embedding: Buffer;
}

export interface ServiceAgentsTable {
  id: string;
  project_id: string;
  created_at: number;
  name: string;
  object: string;
}

export interface ServiceAgentActionsTable {
  id: string;
  project_id: string;
  service_agent_id: string;
  run_id: string | null;
  tool_call_id: string | null;
  status: string;
  created_at: number;
  executed_at: number | null;
  value_usd: number;
  object: string;
  state: string | null;
  lease_holder: string | null;
  lease_expires_at_ms: number | null;
}

export interface ServiceAgentActionTransitionsTable {
  action_id: string;
  seq: number;
  project_id: string;
  from_status: string | null;
  to_status: string;
  at: number;
  decided_by: string;
  key_id: string | null;
  reason: string | null;
}

export interface LimitOverridesTable {
  project_id: string;
  /** '' for the project's own limits. */
  api_key_id: string;
  max_requests_per_1_minute: number | null;
  max_tokens_per_1_day: number | null;
  max_concurrent_runs: number | null;
  max_stored_bytes: number | null;
}

export interface LimitCountersTable {
  scope: string;
  minute_start: number;
  requests: number;
  day_start: number;
  tokens: number;
}

export interface UsageMetersTable {
  project_id: string;
  /** '' when no project key did it. */
  api_key_id: string;
  meter: string;
  minute: number;
  amount: number;
}

export interface UsageRecordsTable {
  project_id: string;
  /** '' when no project key made the run. */
  api_key_id: string;
  model: string;
  minute: number;
  input_tokens: number;
  output_tokens: number;
  model_requests: number;
}

export interface ContainersTable {
  id: string;
  project_id: string;
  name: string;
  created_at: number;
  last_active_at: number;
  expires_after_minutes: number;
  memory_limit: string;
}

export interface ContainerFilesTable {
  id: string;
  project_id: string;
  container_id: string;
  created_at: number;
  bytes: number;
  path: string;
  source: string;
}

export interface Database {
  usage_records: UsageRecordsTable;
  usage_meters: UsageMetersTable;
  limit_overrides: LimitOverridesTable;
  limit_counters: LimitCountersTable;
  service_agents: ServiceAgentsTable;
  service_agent_actions: ServiceAgentActionsTable;
  service_agent_action_transitions: ServiceAgentActionTransitionsTable;
  runs: RunsTable;
  responses: ResponsesTable;
  run_steps: RunStepsTable;
  run_events: RunEventsTable;
  projects: ProjectsTable;
  api_keys: ApiKeysTable;
  assistants: AssistantsTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  conversations: ConversationsTable;
  conversation_items: ConversationItemsTable;
  files: FilesTable;
  vector_stores: VectorStoresTable;
  vector_store_file_batches: VectorStoreFileBatchesTable;
  vector_store_files: VectorStoreFilesTable;
  chunks: ChunksTable;
  chunk_embeddings: ChunkEmbeddingsTable;
  embedding_cache: EmbeddingCacheTable;
  containers: ContainersTable;
  container_files: ContainerFilesTable;
}

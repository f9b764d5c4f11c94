/**
 * The storage port. Every method is scoped to a project: an id from another project behaves exactly
 * like an id that does not exist. Adapters: `sqlite/` and `postgres/`, both over the shared Kysely
 * repositories in `kysely/`; both pass `store.contract.ts`.
 */
import type { Assistant } from '../domain/assistant.ts';
import type { ConversationRepository } from './ports/conversations-port.ts';
import type { JsonText } from '../domain/json-text.ts';
import type { MaybePromise } from '../domain/maybe-promise.ts';
import type { ListPage, PageParams } from '../domain/list-page.ts';
import type { Message } from '../domain/message.ts';
import type { ApiKey, Project } from '../domain/project.ts';
import type { Thread } from '../domain/thread.ts';
import type { ResponseRepository } from './ports/responses-port.ts';
import type { RunEventRepository, RunRepository, RunStepRepository } from './ports/runs-port.ts';
import type {
  ServiceAgentActionRepository,
  ServiceAgentRepository,
} from './ports/service-agents-port.ts';
import type { ChunkRepository, EmbeddingCacheRepository } from './ports/chunk-repository.ts';
import type { ContainerFileRepository, ContainerRepository } from './ports/container-repository.ts';
import type { FileRepository } from './ports/file-repository.ts';
import type { IngestionQueue } from './ports/ingestion-queue.ts';
import type { RetentionRepository } from './ports/retention-port.ts';
import type { OperationsGauges } from './ports/operations-gauges.ts';
import type { UsageRepository } from './ports/usage-port.ts';
import type { LimitsRepository } from './ports/limits-port.ts';
import type { VectorStoreRepository } from './ports/vector-store-repository.ts';
import type {
  FileBatchRepository,
  VectorStoreFileRepository,
} from './ports/vector-store-file-repository.ts';

export type {
  ChunkHit,
  ChunkInput,
  ChunkRepository,
  ChunkScope,
  EmbeddingCacheRepository,
} from './ports/chunk-repository.ts';
export type { ContainerFileRepository, ContainerRepository } from './ports/container-repository.ts';
export type { ResponseRepository } from './ports/responses-port.ts';
export type { ConversationLockResult, ConversationRepository } from './ports/conversations-port.ts';
export { DuplicateItemIdError } from './ports/conversations-port.ts';
export type { FileRepository, StoredFile } from './ports/file-repository.ts';
export type { IngestionJob, IngestionQueue, ReembedJob } from './ports/ingestion-queue.ts';
export type { ProjectObject, RetentionRepository } from './ports/retention-port.ts';
export type { OperationsGauges, OperationsSnapshot } from './ports/operations-gauges.ts';
export type { LimitCounter, LimitOverride, LimitsRepository } from './ports/limits-port.ts';
export type {
  MeterEntry,
  MeterQuery,
  MeterRow,
  MeterTotal,
  UsageEntry,
  UsageMeter,
  UsageQuery,
  UsageRepository,
  UsageRow,
} from './ports/usage-port.ts';
export type { VectorStoreRepository } from './ports/vector-store-repository.ts';
export type {
  FileBatchRepository,
  FileCountScope,
  VectorStoreFileRepository,
} from './ports/vector-store-file-repository.ts';

export interface ProjectRepository {
  insert(project: Project): Promise<void>;
  find(id: string): Promise<Project | undefined>;
  update(project: Project): Promise<void>;
  list(page: PageParams): Promise<ListPage<Project>>;
}

export interface ApiKeyRepository {
  /** Stores a key by the hash of its secret; the secret itself is never stored. */
  insert(key: ApiKey, keyHash: string): Promise<void>;
  /** The key and its project for a secret's hash, or undefined. */
  findByHash(keyHash: string): Promise<{ key: ApiKey; project: Project } | undefined>;
  find(projectId: string, id: string): Promise<ApiKey | undefined>;
  list(projectId: string, page: PageParams): Promise<ListPage<ApiKey>>;
  delete(projectId: string, id: string): Promise<boolean>;
  /** Records use; callers throttle it, it is not on every request. */
  touch(id: string, usedAt: number): Promise<void>;
}

/** Create, read, replace, delete and page one kind of project-scoped object. */
export interface ObjectRepository<Item> {
  insert(projectId: string, item: Item): Promise<void>;
  find(projectId: string, id: string): Promise<Item | undefined>;
  /** Replaces the stored object; returns false when it no longer exists. */
  update(projectId: string, item: Item): Promise<boolean>;
  delete(projectId: string, id: string): Promise<boolean>;
}

export interface AssistantRepository extends ObjectRepository<Assistant> {
  list(projectId: string, page: PageParams): Promise<ListPage<Assistant>>;
  /**
   * An assistant for a run's creation, with the version of its row, where the store can check that
   * version when it inserts the run (`RunCreationWrites.assistant`, PostgreSQL): then the answer may
   * come from this process's cache, without a round trip, since the insert refuses a stale one
   * (`StaleAssistantError`). `fresh` reads the row again. The object is frozen: it may be shared.
   */
  findVersioned?(
    projectId: string,
    id: string,
    fresh?: boolean,
  ): Promise<{ assistant: Assistant; version: string } | undefined>;
}

export type ThreadRepository = ObjectRepository<Thread>;

export interface MessageRepository extends ObjectRepository<Message> {
  /**
   * Adds a message only if its thread exists in the project and has no active run, in one statement
   * (the common path of "create message" needs no transaction). Returns false when it was not added.
   * `json` is the message as JSON when the caller already has it (it is stored as is). A store that
   * can answer without waiting (SQLite while no transaction holds its connection) answers at once.
   */
  insertIntoThread(projectId: string, message: Message, json?: string): MaybePromise<boolean>;
  list(
    projectId: string,
    threadId: string,
    page: PageParams,
    filter?: { runId?: string },
  ): Promise<ListPage<Message>>;
  /**
   * The same page as `list`, already serialized: what the list endpoint sends. A first page on a
   * store that can answer without waiting (as `insertIntoThread`) is answered at once.
   */
  listJson(
    projectId: string,
    threadId: string,
    page: PageParams,
    filter?: { runId?: string },
  ): MaybePromise<JsonText>;
  /** Every message of a thread in creation order (the model's view of the conversation). */
  listAll(projectId: string, threadId: string): Promise<Message[]>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly projects: ProjectRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly assistants: AssistantRepository;
  readonly threads: ThreadRepository;
  readonly messages: MessageRepository;
  readonly conversations: ConversationRepository;
  readonly runs: RunRepository;
  readonly runSteps: RunStepRepository;
  readonly runEvents: RunEventRepository;
  readonly responses: ResponseRepository;
  readonly serviceAgents: ServiceAgentRepository;
  readonly serviceAgentActions: ServiceAgentActionRepository;
  readonly files: FileRepository;
  readonly vectorStores: VectorStoreRepository;
  readonly vectorStoreFiles: VectorStoreFileRepository;
  readonly fileBatches: FileBatchRepository;
  readonly ingestionQueue: IngestionQueue;
  readonly chunks: ChunkRepository;
  readonly embeddingCache: EmbeddingCacheRepository;
  /** What the janitor deletes: expired, inactive and orphaned objects across projects. */
  readonly retention: RetentionRepository;
  /** The deployment-wide figures the metrics endpoint reads at scrape time. */
  readonly gauges: OperationsGauges;
  /** Tokens per project, key, model and minute, as runs end. */
  readonly usage: UsageRepository;
  /** Limit overrides, and the counters shared by every node. */
  readonly limits: LimitsRepository;
  readonly containers: ContainerRepository;
  readonly containerFiles: ContainerFileRepository;
  /** Runs `work` atomically: all of its writes land, or none do. */
  transaction<Result>(work: (store: Store) => Promise<Result>): Promise<Result>;
  /** Applies pending migrations. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

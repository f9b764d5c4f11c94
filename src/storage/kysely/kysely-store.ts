/** Builds a `Store` from a Kysely instance; the SQLite and Postgres adapters differ only in how they connect. */
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../migrations/migrations.ts';
import type { ChunkRepository, Store } from '../store.ts';
import { assistantsRepository, type AssistantCache } from './assistants-repository.ts';
import { conversationsRepository } from './conversations-repository.ts';
import { containerFilesRepository, containersRepository } from './containers-repository.ts';
import type { AnnouncedWrite, LockedWrite } from './announced-write.ts';
import type { Database, Dialect } from './database.ts';
import type { DirectStatements } from './direct-statements.ts';
import { embeddingCacheRepository } from './embedding-cache-repository.ts';
import { filesRepository } from './files-repository.ts';
import { ingestionQueue } from './ingestion-queue.ts';
import { limitsRepository } from './limits-repository.ts';
import { messagesRepository } from './messages-repository.ts';
import { apiKeysRepository, projectsRepository } from './projects-repository.ts';
import { operationsGaugesRepository } from './operations-gauges-repository.ts';
import { responsesRepository } from './responses-repository.ts';
import { runEventsRepository } from './run-events-repository.ts';
import { runStepsRepository } from './run-steps-repository.ts';
import { retentionRepository } from './retention-repository.ts';
import { runsRepository } from './runs-repository.ts';
import {
  serviceAgentActionsRepository,
  serviceAgentsRepository,
} from './service-agents-repository.ts';
import { threadsRepository } from './threads-repository.ts';
import { usageRepository } from './usage-repository.ts';
import { withTransaction } from './with-transaction.ts';
import {
  fileBatchesRepository,
  vectorStoreFilesRepository,
} from './vector-store-files-repository.ts';
import { vectorStoresRepository } from './vector-stores-repository.ts';

export interface KyselyStoreOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Releases the connection(s); called once by `close()`. */
  disconnect: () => Promise<void>;
  /** The adapter's dialect-specific chunk search over the given connection or transaction. */
  chunks: (db: Kysely<Database>) => ChunkRepository;
  /**
   * The adapter's own transactions, when it has one query builder for every transaction (SQLite's one
   * connection): the store binds its repositories to `db` once, and `run` brackets each transaction.
   * Without it, each transaction is Kysely's, with the repositories bound to it anew.
   */
  transactions?: {
    db: Kysely<Database>;
    run<Result>(work: () => Promise<Result>): Promise<Result>;
  };
  /** Statements an in-process database runs at once when no transaction holds it (SQLite). */
  direct?: DirectStatements;
  /** Writes that announce their events in their own round trip (PostgreSQL), outside transactions. */
  announcedWrite?: AnnouncedWrite;
  /** Writes that take a lock first in their own round trip (PostgreSQL), outside transactions. */
  lockedWrite?: LockedWrite;
}

function bind(
  db: Kysely<Database>,
  options: KyselyStoreOptions,
  inTransaction: boolean,
  assistantCache: AssistantCache | undefined,
): Store {
  let transactionStore: Store | undefined;
  const store: Store = {
    dialect: options.dialect,
    projects: projectsRepository(db),
    apiKeys: apiKeysRepository(db),
    assistants: assistantsRepository(db, options.dialect, assistantCache),
    threads: threadsRepository(db, options.dialect),
    // Inside a transaction, statements go through its connection: no direct statements there.
    messages: messagesRepository(
      db,
      options.dialect,
      inTransaction ? undefined : options.direct,
      inTransaction ? undefined : options.lockedWrite,
    ),
    conversations: conversationsRepository(db),
    runs: runsRepository(db, options.dialect, inTransaction ? undefined : options.announcedWrite),
    runSteps: runStepsRepository(db, options.dialect),
    runEvents: runEventsRepository(
      db,
      options.dialect,
      inTransaction ? undefined : options.announcedWrite,
      inTransaction ? undefined : options.direct,
    ),
    responses: responsesRepository(db),
    serviceAgents: serviceAgentsRepository(db, options.dialect),
    serviceAgentActions: serviceAgentActionsRepository(db),
    files: filesRepository(db, options.dialect),
    vectorStores: vectorStoresRepository(db),
    vectorStoreFiles: vectorStoreFilesRepository(db),
    fileBatches: fileBatchesRepository(db),
    ingestionQueue: ingestionQueue(db, options.dialect),
    chunks: options.chunks(db),
    embeddingCache: embeddingCacheRepository(db),
    retention: retentionRepository(db, options.dialect),
    gauges: operationsGaugesRepository(db),
    usage: usageRepository(db, options.dialect),
    limits: limitsRepository(db),
    containers: containersRepository(db),
    containerFiles: containerFilesRepository(db),
    transaction(work) {
      // Kysely has no nested transactions; an inner `transaction` joins the outer one.
      if (inTransaction) return work(store);
      const own = options.transactions;
      if (own) {
        const bound = (transactionStore ??= bind(own.db, options, true, assistantCache));
        return own.run(() => work(bound));
      }
      return withTransaction(db, (transaction) =>
        work(bind(transaction, options, true, assistantCache)),
      );
    },
    migrate: () => migrateToLatest(db as Kysely<unknown>, options.dialect),
    close: options.disconnect,
  };
  return store;
}

export function createKyselyStore(options: KyselyStoreOptions): Store {
  // A run's insert checks an assistant's version on PostgreSQL only: a cache of them there.
  const assistantCache = options.dialect === 'postgres' ? new Map() : undefined;
  return bind(options.db, options, false, assistantCache);
}

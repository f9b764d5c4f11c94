/**
 * Persistence: the store (migrated, with the default project), file bytes (local disk or S3), and the
 * event bus. The database URL is read once; on PostgreSQL the bus listens on the same database
 * (LISTEN/NOTIFY), on SQLite it stays in this process.
 */
import type { LimitPolicy } from '../domain/limits.ts';
import { createLimitPolicy, limitDefaults } from './limit-policy.ts';
import { ensureDefaultProject } from '../api/organization/projects/projects.service.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Config } from '../config/config-schema.ts';
import type { EventBus } from '../engine/event-bus.ts';
import { createInProcessEventBus } from '../engine/event-bus/in-process-event-bus.ts';
import { openStoreAt, parseDatabaseUrl, type DatabaseTarget } from '../storage/open-store.ts';
import type { Store } from '../storage/store.ts';
import type { AppOverrides } from './app-types.ts';
import { openBlobStore } from './blob-storage.ts';
import type { CloserStack } from './closer-stack.ts';
import type { RelayLog } from './log-relay.ts';

export interface Persistence {
  store: Store;
  blobs: BlobStore;
  bus: EventBus;
  /** The limits in effect per project and key (config defaults and stored overrides). */
  limits: LimitPolicy;
}

export async function createPersistence(
  config: Config,
  overrides: AppOverrides,
  closers: CloserStack,
  log: RelayLog,
): Promise<Persistence> {
  const target = parseDatabaseUrl(config.databaseUrl, {
    maxConnections: config.databasePoolSize,
    statementTimeout: config.databaseStatementTimeoutSeconds * 1000,
  });
  const store =
    overrides.store ??
    (await openStoreAt(target, {
      vectorCacheBytes: config.vectorCacheMb * 2 ** 20,
      warn: (message) => log.warn(message),
    }));
  closers.push('store', () => store.close());
  await store.migrate();
  await ensureDefaultProject(store);
  let blobs = overrides.blobs;
  if (!blobs) {
    const opened = await openBlobStore(config);
    closers.push('blob store', () => opened.close());
    blobs = opened;
  }
  const bus = overrides.bus ?? (await createEventBus(target, store, log));
  closers.push('event bus', () => bus.close());
  return { store, blobs, bus, limits: createLimitPolicy(store, limitDefaults(config)) };
}

/**
 * On PostgreSQL, processes share one database and hear each other through LISTEN/NOTIFY (channels
 * named after the schema, so deployments sharing a database stay apart); on SQLite, one process.
 */
async function createEventBus(
  target: DatabaseTarget,
  store: Store,
  log: RelayLog,
): Promise<EventBus> {
  if (target.dialect === 'sqlite') return createInProcessEventBus();
  // The PostgreSQL driver loads only on PostgreSQL.
  const [{ default: pg }, { createPostgresEventBus }, { postgresClientConfig }] = await Promise.all(
    [
      import('pg'),
      import('../engine/event-bus/postgres-event-bus.ts'),
      import('../storage/postgres/postgres-store.ts'),
    ],
  );
  return createPostgresEventBus({
    connect: () => new pg.Client(postgresClientConfig(target.options)),
    events: store.runEvents,
    channelPrefix: `concierge_${target.options.schema ?? 'public'}`,
    log,
  });
}

/**
 * The PostgreSQL adapter for scale-out: a pg pool shared by API nodes and workers. int8 columns come
 * back as JS numbers (every int8 we store is a Unix time or a count well below 2^53).
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../kysely/database.ts';
import { createKyselyStore } from '../kysely/kysely-store.ts';
import { createVectorCache } from '../kysely/vector-cache.ts';
import type { Store } from '../store.ts';
import { postgresChunkRepository, probePgvector } from './postgres-chunk-repository.ts';
import { reconnectingPool } from './reconnecting-pool.ts';
import { announcedWrites, lockedWrites } from './write-then-notify.ts';

const INT8_OID = 20;

export interface PostgresStoreOptions {
  connectionString: string;
  /** An existing pool to use instead of connecting to `connectionString` (tests hand in PGlite's). */
  pool?: pg.Pool;
  /** Schema to use instead of `public` (tests use one schema each). Created if missing. */
  schema?: string;
  maxConnections?: number;
  /** Milliseconds after which Postgres cancels a statement. */
  statementTimeout?: number;
  /** How long a statement waits for the database to accept connections again before a 503. */
  reconnectWindowMs?: number;
  /** Bytes of decoded vectors held in memory for vector search (see `vector-cache.ts`); 0 holds none. */
  vectorCacheBytes?: number;
  /**
   * Milliseconds that opening a connection (TCP and the server's handshake) may take before it counts
   * as lost: a host that drops packets would otherwise hold it for the OS's SYN retries (~2 minutes).
   */
  connectTimeoutMs?: number;
}

/** See `PostgresStoreOptions.connectTimeoutMs`. */
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Builds the pg pool configuration; shared with the LISTEN connection of the event bus. */
export function postgresClientConfig(options: PostgresStoreOptions): pg.ClientConfig {
  const settings = [`-c statement_timeout=${options.statementTimeout ?? 30_000}`];
  if (options.schema) settings.push(`-c search_path=${options.schema}`);
  return {
    connectionString: options.connectionString,
    options: settings.join(' '),
    // TCP keepalive probes after 10 s of silence, so a connection whose peer vanished (a failover, a
    // dropped NAT entry) errors instead of waiting forever on a reply (the OS default is 2 hours).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
  };
}

/**
 * The pool. Its clients time out while connecting, but a request waiting for a free client does not:
 * pg-pool would apply the same `connectionTimeoutMillis` to that wait, failing requests under load.
 */
function connectionPool(options: PostgresStoreOptions): pg.Pool {
  const { connectionTimeoutMillis, ...config } = postgresClientConfig(options);
  class TimedClient extends pg.Client {
    constructor(clientConfig: pg.ClientConfig = {}) {
      super({ ...clientConfig, connectionTimeoutMillis });
    }
  }
  return new pg.Pool({ ...config, max: options.maxConnections ?? 10, Client: TimedClient });
}

export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  if (options.schema) {
    const client = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
    await client.connect();
    try {
      await client.query(`create schema if not exists "${options.schema.replaceAll('"', '')}"`);
    } catch (error) {
      // Several processes starting at once race on `if not exists`; the loser sees a duplicate.
      if (!['23505', '42P06'].includes((error as { code?: string }).code ?? '')) throw error;
    } finally {
      await client.end();
    }
  }
  const pool = options.pool ?? connectionPool(options);
  // A client that loses its connection (server restart, terminated backend) must not crash the process:
  // idle ones report through the pool; a checked-out one (say, between a transaction's statements) emits
  // on itself, so every client gets a listener. Its queries fail, and the pool drops it on release;
  // the reconnecting pool runs a statement that met such a connection again on a fresh one.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const connections = reconnectingPool(pool, { reconnectWindowMs: options.reconnectWindowMs });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: connections }) });
  let pgvector: Promise<string | undefined> | undefined;
  const hasPgvector = () => (pgvector ??= probePgvector(db));
  // Vectors decoded once per file version and searched in memory (see vector-cache.ts): faster than
  // the plain-SQL scan and than pgvector's exact one alike.
  const vectors = createVectorCache(
    (stored) => Float32Array.from(stored as number[]),
    options.vectorCacheBytes,
  );
  return createKyselyStore({
    db,
    dialect: 'postgres',
    disconnect: () => db.destroy(),
    announcedWrite: announcedWrites(connections),
    lockedWrite: lockedWrites(connections),
    chunks: (connection) => postgresChunkRepository(connection, hasPgvector, vectors),
  });
}

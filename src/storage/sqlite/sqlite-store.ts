/**
 * The embedded SQLite adapter: one better-sqlite3 connection in WAL mode. Kysely serializes access to
 * it, which is what SQLite wants; scale-out across processes is the Postgres adapter's job.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { createKyselyStore } from '../kysely/kysely-store.ts';
import { fromFloat32Blob } from '../kysely/embedding-cache-repository.ts';
import { createVectorCache } from '../kysely/vector-cache.ts';
import type { Store } from '../store.ts';
import { sqliteChunkRepository } from './sqlite-chunk-repository.ts';
import { CachedSqliteDialect, SqliteKysely } from './sqlite-driver.ts';
import { installVectorFunctions, type LoadVectorExtension } from './vector-functions.ts';

export interface SqliteStoreOptions {
  /** Milliseconds a statement waits for another process's lock on the file (default 5000). */
  busyTimeoutMs?: number;
  /** Bytes of decoded vectors held in memory for vector search (see `vector-cache.ts`); 0 holds none. */
  vectorCacheBytes?: number;
  /** Told once, at open, when sqlite-vec's native library is missing and JavaScript stands in. */
  warn?: (message: string) => void;
  /** Loads sqlite-vec into the connection (tests inject a failing one to take the fallback). */
  loadVectorExtension?: LoadVectorExtension;
}

/** Opens (creating if needed) the database file at `path`, or an in-memory one for `:memory:`. */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new SqliteDatabase(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  // A checkpoint every 4,000 WAL pages (16 MiB), not SQLite's 1,000: a streamed run writes ~80 pages
  // of WAL frames, mostly the same hot pages again (the run events' index, the runs' rows), which a
  // checkpoint copies once however often the WAL holds them, with its fsyncs. At full load SQLite's
  // default checkpointed ~12 times a second (bench/README.md, `sqlitecpu3`). What NORMAL risks is
  // unchanged: on a power loss (not a crash of the process) the commits since the last checkpoint
  // may be lost; there are at most 4,000 pages of them, not 1,000.
  connection.pragma('wal_autocheckpoint = 4000');
  connection.pragma('foreign_keys = ON');
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // A statement's temporary b-tree (an `order by` no index serves: the worker's claim, twice a run
  // in a busy process) in memory: with the default temporary file, setting one up cost ~40 µs of
  // CPU even when empty, against ~3 µs (bench/README.md, `sqlitecpu2`). Our sorts are pages (≤ 100
  // rows) or queues; a larger one (an index built by a migration) holds its rows in memory.
  connection.pragma('temp_store = MEMORY');
  // Memory-mapped reads: the exact vector scan reads every embedding of a store; measured 28% faster
  // at 100k chunks (bench/retrieval).
  if (path !== ':memory:') connection.pragma('mmap_size = 268435456');
  // `vec_distance_cosine` for vector search: sqlite-vec's native library, or the same function in
  // JavaScript where its optional per-platform package is not installed (vector-functions.ts).
  const vectorFunctions = installVectorFunctions(connection, options.loadVectorExtension);
  if (vectorFunctions.backend === 'plain-sql')
    options.warn?.(
      `sqlite-vec's native library could not be loaded (${vectorFunctions.reason.split('\n')[0]}); ` +
        'vector search computes the same cosine distances in JavaScript instead, which is slower ' +
        'only for stores too large for the vector cache. Install the optional dependencies ' +
        '(npm ci without --omit=optional) to use sqlite-vec.',
    );
  const dialect = new CachedSqliteDialect(connection);
  const db = new SqliteKysely(dialect);
  // Vectors decoded once per file version and searched in memory (see vector-cache.ts).
  const vectors = createVectorCache(
    (stored) => fromFloat32Blob(stored as Buffer),
    options.vectorCacheBytes,
  );
  return createKyselyStore({
    db,
    dialect: 'sqlite',
    // Kysely closes its driver only if a statement went through it, which the store's transactions
    // and direct statements do not: the connection is closed here too (its WAL checkpointed).
    disconnect: async () => {
      await db.destroy();
      connection.close();
    },
    chunks: (bound) => sqliteChunkRepository(bound, vectors, vectorFunctions.backend),
    transactions: db.transactions,
    direct: dialect.direct,
  });
}

/**
 * The janitor: on a timer, deletes what is due under a list of retention rules (expired files, vector
 * stores expired past their grace period, threads inactive and responses older than the operator's
 * retention), then sweeps blobs no file or container file refers to.
 *
 * Deletion is durable without a log: a file's row goes first (in a transaction with its vector-store
 * links), its blob after. A crash between the two leaves an orphaned blob, never a file without bytes,
 * and the blob sweep removes the orphan. A blob is an orphan when no file row names it in two sweeps
 * `blobSweepIntervalSeconds` apart: an upload puts its blob a moment before its row, so a blob seen
 * once without a row may be an upload in flight.
 */
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Config } from '../config/config-schema.ts';
import type { Store } from '../storage/store.ts';

const SECONDS_PER_DAY = 86_400;
/** Objects one rule deletes per pass; the next pass takes the rest. */
const BATCH = 100;
/** File ids looked up per query in the blob sweep. */
const SWEEP_BATCH = 500;

/** One kind of object the janitor deletes; another object with a retention period adds a rule. */
export interface RetentionRule {
  /** What it deletes, for logs: `expired files`, `inactive threads`. */
  name: string;
  /** Deletes up to `limit` objects due at `now` (seconds); resolves to how many. */
  sweep(now: number, limit: number): Promise<number>;
}

/** The rules `config` turns on. `sweepExpiredFiles` is the files service's (row first, then blob). */
export function retentionRules(
  config: Config,
  store: Store,
  sweepExpiredFiles: (limit: number, now: number) => Promise<number>,
): RetentionRule[] {
  const rules: RetentionRule[] = [
    { name: 'expired files', sweep: (now, limit) => sweepExpiredFiles(limit, now) },
    {
      name: 'expired vector stores',
      sweep: async (now, limit) => {
        const grace = config.vectorStoreExpiredRetentionDays * SECONDS_PER_DAY;
        return (await store.retention.deleteExpiredVectorStores(now - grace, limit)).length;
      },
    },
  ];
  const threadDays = config.threadRetentionDays;
  if (threadDays !== undefined) {
    rules.push({
      name: 'inactive threads',
      sweep: async (now, limit) =>
        (await store.retention.deleteInactiveThreads(now - threadDays * SECONDS_PER_DAY, limit))
          .length,
    });
  }
  const responseDays = config.responseRetentionDays;
  if (responseDays !== undefined) {
    rules.push({
      name: 'old responses',
      sweep: async (now, limit) =>
        (await store.retention.deleteOldResponses(now - responseDays * SECONDS_PER_DAY, limit))
          .length,
    });
  }
  return rules;
}

export interface Janitor {
  /** One pass of every rule; resolves to how many objects each deleted. */
  runRules(now: number): Promise<Record<string, number>>;
  /**
   * One blob sweep: deletes blobs unreferenced now and at a sweep at least `graceSeconds` earlier;
   * resolves to the keys deleted.
   */
  sweepBlobs(now: number): Promise<string[]>;
}

export function createJanitor(options: {
  store: Store;
  blobs: BlobStore;
  rules: RetentionRule[];
  /** Seconds a blob must stay unreferenced before the sweep deletes it. */
  graceSeconds: number;
}): Janitor {
  const { store, blobs, rules, graceSeconds } = options;
  /** Blobs seen without a file row, and when first seen so (seconds). */
  let unreferenced = new Map<string, number>();

  async function unreferencedAmong(keys: string[]): Promise<string[]> {
    const stored = await store.retention.storedFileIds(keys);
    return keys.filter((key) => !stored.has(key));
  }

  return {
    async runRules(now) {
      const deleted: Record<string, number> = {};
      for (const rule of rules) deleted[rule.name] = await rule.sweep(now, BATCH);
      return deleted;
    },
    async sweepBlobs(now) {
      const seen = new Map<string, number>();
      let batch: string[] = [];
      const check = async () => {
        for (const key of await unreferencedAmong(batch))
          seen.set(key, unreferenced.get(key) ?? now);
        batch = [];
      };
      for await (const key of blobs.keys()) {
        batch.push(key);
        if (batch.length >= SWEEP_BATCH) await check();
      }
      await check();
      const deleted: string[] = [];
      for (const [key, since] of seen) {
        if (now - since < graceSeconds) continue;
        // Checked once more just before: a row may have come since the listing.
        if ((await unreferencedAmong([key])).length === 0) continue;
        await blobs.delete(key);
        deleted.push(key);
        seen.delete(key);
      }
      unreferenced = seen;
      return deleted;
    },
  };
}

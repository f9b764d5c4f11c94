/**
 * The ingestion queue on the `vector_store_files` table. Each SQL operation is named after what it does.
 * Claiming is one `UPDATE … WHERE key = (oldest claimable) … RETURNING`; on Postgres the inner select
 * takes `FOR UPDATE SKIP LOCKED`, so concurrent workers never claim the same row. The same statement
 * counts the attempt, so a claim whose process dies mid-parse has been counted before parsing began.
 */
import { sql, type Kysely } from 'kysely';
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import type { IngestionJob, IngestionQueue } from '../store.ts';
import type { Database, Dialect } from './database.ts';
import { fromJson, toJson } from './json-column.ts';

interface ClaimedRow {
  project_id: string;
  vector_store_id: string;
  id: string;
  chunking_strategy: string;
  attempts: number;
}

export function ingestionQueue(db: Kysely<Database>, dialect: Dialect): IngestionQueue {
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const owned = (job: IngestionJob, owner: string) =>
    db
      .updateTable('vector_store_files')
      .where('vector_store_id', '=', job.vectorStoreId)
      .where('id', '=', job.fileId)
      .where('status', '=', 'in_progress')
      .where('lease_owner', '=', owner);

  return {
    async claimNext(owner, now, leaseUntil) {
      const claimNextVectorStoreFile = sql<ClaimedRow>`
        update vector_store_files
           set lease_owner = ${owner}, lease_until = ${leaseUntil}, attempts = attempts + 1
         where (vector_store_id, id) = (
                 select vector_store_id, id from vector_store_files
                  where status = 'in_progress' and (lease_until is null or lease_until < ${now})
                  order by created_at, id
                  limit 1 ${lock})
           and status = 'in_progress' and (lease_until is null or lease_until < ${now})
        returning project_id, vector_store_id, id, chunking_strategy, attempts`;
      const row = (await claimNextVectorStoreFile.execute(db)).rows[0];
      if (!row) return undefined;
      return {
        projectId: row.project_id,
        vectorStoreId: row.vector_store_id,
        fileId: row.id,
        chunkingStrategy: fromJson<StaticChunkingStrategy>(row.chunking_strategy),
        attempts: Number(row.attempts),
      };
    },
    async renewLease(job, owner, leaseUntil) {
      const result = await owned(job, owner).set({ lease_until: leaseUntil }).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async complete(job, owner, usageBytes) {
      const result = await owned(job, owner)
        .set({
          status: 'completed',
          usage_bytes: usageBytes,
          last_error: null,
          lease_owner: null,
          lease_until: null,
        })
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async release(job, owner) {
      // A job given back was not the file's doing: its claim does not count against it.
      await owned(job, owner)
        .set((eb) => ({
          lease_owner: null,
          lease_until: null,
          attempts: eb('attempts', '-', 1),
        }))
        .execute();
    },
    async fail(job, owner, error) {
      const result = await owned(job, owner)
        .set({
          status: 'failed',
          usage_bytes: 0,
          last_error: toJson(error),
          lease_owner: null,
          lease_until: null,
        })
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

/**
 * The ingestion queue on the `vector_store_files` table. Each SQL operation is named after what it does.
 * Claiming is one `UPDATE … WHERE key = (oldest claimable) … RETURNING`; on Postgres the inner select
 * takes `FOR UPDATE SKIP LOCKED`, so concurrent workers never claim the same row. The same statement
 * counts the attempt, so a claim whose process dies mid-parse has been counted before parsing began.
 */
import { sql, type Kysely, type UpdateResult } from 'kysely';
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import type { IngestionJob, IngestionQueue, ReembedJob } from '../store.ts';
import type { Database, Dialect } from './database.ts';
import { fromJson, toJson } from './json-column.ts';

interface ClaimedRow {
  project_id: string;
  vector_store_id: string;
  id: string;
  chunking_strategy: string;
  attempts: number;
  created_at: number;
}

interface ReembedRow {
  project_id: string;
  vector_store_id: string;
  id: string;
}

/** A lease given up: the row is claimable again. */
const NO_LEASE = { lease_owner: null, lease_until: null } as const;

/** True when the update found the row: the lease was still the caller's. */
async function stillOwned(update: { executeTakeFirst(): Promise<UpdateResult> }): Promise<boolean> {
  return (await update.executeTakeFirst()).numUpdatedRows > 0n;
}

export function ingestionQueue(db: Kysely<Database>, dialect: Dialect): IngestionQueue {
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  /** `column` holds another value than `model` (null included): null-safe on both dialects. */
  const isNot = (column: string, model: string) =>
    dialect === 'postgres'
      ? sql`${sql.ref(column)} is distinct from ${model}`
      : sql`${sql.ref(column)} is not ${model}`;
  /** The file's row while `owner` holds its lease and it still has `status`. */
  const leased = (job: ReembedJob, owner: string, status: 'in_progress' | 'completed') =>
    db
      .updateTable('vector_store_files')
      .where('vector_store_id', '=', job.vectorStoreId)
      .where('id', '=', job.fileId)
      .where('status', '=', status)
      .where('lease_owner', '=', owner);
  const owned = (job: IngestionJob, owner: string) => leased(job, owner, 'in_progress');
  const reembedding = (job: ReembedJob, owner: string) => leased(job, owner, 'completed');

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
        returning project_id, vector_store_id, id, chunking_strategy, attempts, created_at`;
      const row = (await claimNextVectorStoreFile.execute(db)).rows[0];
      if (!row) return undefined;
      return {
        projectId: row.project_id,
        vectorStoreId: row.vector_store_id,
        fileId: row.id,
        chunkingStrategy: fromJson<StaticChunkingStrategy>(row.chunking_strategy),
        attempts: Number(row.attempts),
        addedAt: Number(row.created_at),
      };
    },
    async renewLease(job, owner, leaseUntil) {
      return stillOwned(owned(job, owner).set({ lease_until: leaseUntil }));
    },
    async complete(job, owner, usageBytes, embeddingModel = null) {
      return stillOwned(
        owned(job, owner).set({
          status: 'completed',
          embedding_model: embeddingModel,
          usage_bytes: usageBytes,
          last_error: null,
          ...NO_LEASE,
        }),
      );
    },
    async release(job, owner) {
      // A job given back was not the file's doing: its claim does not count against it.
      await owned(job, owner)
        .set((eb) => ({ ...NO_LEASE, attempts: eb('attempts', '-', 1) }))
        .execute();
    },
    async postpone(job, owner, until) {
      // Unowned but leased until `until`: no worker claims it before then, any worker after.
      return stillOwned(
        owned(job, owner).set((eb) => ({
          lease_owner: null,
          lease_until: until,
          attempts: eb('attempts', '-', 1),
        })),
      );
    },
    async fail(job, owner, error) {
      return stillOwned(
        owned(job, owner).set({
          status: 'failed',
          usage_bytes: 0,
          last_error: toJson(error),
          ...NO_LEASE,
        }),
      );
    },
    async claimReembed(owner, model, now, leaseUntil) {
      const claimNextFileToReembed = sql<ReembedRow>`
        update vector_store_files
           set lease_owner = ${owner}, lease_until = ${leaseUntil}
         where (vector_store_id, id) = (
                 select vector_store_id, id from vector_store_files
                  where status = 'completed' and ${isNot('embedding_model', model)}
                    and (lease_until is null or lease_until < ${now})
                  order by created_at, id
                  limit 1 ${lock})
           and status = 'completed' and (lease_until is null or lease_until < ${now})
        returning project_id, vector_store_id, id`;
      const row = (await claimNextFileToReembed.execute(db)).rows[0];
      return (
        row && { projectId: row.project_id, vectorStoreId: row.vector_store_id, fileId: row.id }
      );
    },
    async renewReembed(job, owner, leaseUntil) {
      return stillOwned(reembedding(job, owner).set({ lease_until: leaseUntil }));
    },
    async completeReembed(job, owner, model, usageBytes) {
      return stillOwned(
        reembedding(job, owner).set({
          embedding_model: model,
          usage_bytes: usageBytes,
          ...NO_LEASE,
        }),
      );
    },
    async releaseReembed(job, owner) {
      await reembedding(job, owner).set(NO_LEASE).execute();
    },
    async switchStores(model) {
      return db.transaction().execute(async (transaction) => {
        const switchStoresWhoseFilesAreEmbedded = sql<{ id: string }>`
          update vector_stores set embedding_model = ${model}
           where ${isNot('embedding_model', model)}
             and not exists (
               select 1 from vector_store_files f
                where f.vector_store_id = vector_stores.id and f.status = 'completed'
                  and ${isNot('f.embedding_model', model)})
          returning id`;
        const switched = (await switchStoresWhoseFilesAreEmbedded.execute(transaction)).rows.map(
          (row) => row.id,
        );
        if (switched.length > 0)
          await transaction
            .deleteFrom('chunk_embeddings')
            .where('vector_store_id', 'in', switched)
            .where('model', '<>', model)
            .execute();
        return switched;
      });
    },
  };
}

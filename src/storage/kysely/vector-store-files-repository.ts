/** Vector store files and file batches on Kysely, for both dialects. */
import type { Kysely, Selectable } from 'kysely';
import {
  fileCounts,
  type VectorStoreFile,
  type VectorStoreFileStatus,
} from '../../domain/vector-store.ts';
import type { FileBatchRepository, VectorStoreFileRepository } from '../store.ts';
import type { Database, VectorStoreFilesTable } from './database.ts';
import { fromJson, fromNullableJson, toJson, toNullableJson } from './json-column.ts';
import { paginate } from './paginate.ts';

export function toVectorStoreFile(row: Selectable<VectorStoreFilesTable>): VectorStoreFile {
  return {
    id: row.id,
    object: 'vector_store.file',
    usage_bytes: Number(row.usage_bytes),
    created_at: Number(row.created_at),
    vector_store_id: row.vector_store_id,
    status: row.status as VectorStoreFileStatus,
    last_error: fromNullableJson(row.last_error),
    chunking_strategy: fromJson(row.chunking_strategy),
    attributes: fromJson(row.attributes),
  };
}

export function vectorStoreFilesRepository(db: Kysely<Database>): VectorStoreFileRepository {
  const inStore = (projectId: string, vectorStoreId: string) =>
    db
      .selectFrom('vector_store_files')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('vector_store_id', '=', vectorStoreId);
  return {
    async upsert(projectId, file, batchId) {
      // The old chunks go first; `on conflict` keeps two concurrent adds of one file from colliding.
      await db
        .deleteFrom('chunks')
        .where('vector_store_id', '=', file.vector_store_id)
        .where('file_id', '=', file.id)
        .execute();
      const row = {
        project_id: projectId,
        created_at: file.created_at,
        status: file.status,
        usage_bytes: file.usage_bytes,
        last_error: toNullableJson(file.last_error),
        chunking_strategy: toJson(file.chunking_strategy),
        attributes: toJson(file.attributes),
        batch_id: batchId,
        lease_owner: null,
        lease_until: null,
        attempts: 0,
        embedding_model: null,
      };
      await db
        .insertInto('vector_store_files')
        .values({ vector_store_id: file.vector_store_id, id: file.id, ...row })
        .onConflict((conflict) => conflict.columns(['vector_store_id', 'id']).doUpdateSet(row))
        .execute();
    },
    async find(projectId, vectorStoreId, fileId) {
      const row = await inStore(projectId, vectorStoreId)
        .where('id', '=', fileId)
        .executeTakeFirst();
      return row && toVectorStoreFile(row);
    },
    async findMany(projectId, vectorStoreId, fileIds) {
      if (fileIds.length === 0) return [];
      return (await inStore(projectId, vectorStoreId).where('id', 'in', fileIds).execute()).map(
        toVectorStoreFile,
      );
    },
    list(projectId, vectorStoreId, page, filter) {
      let query = inStore(projectId, vectorStoreId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.batchId !== undefined) query = query.where('batch_id', '=', filter.batchId);
      return paginate(query, page, toVectorStoreFile);
    },
    async updateAttributes(projectId, vectorStoreId, fileId, attributes) {
      const result = await db
        .updateTable('vector_store_files')
        .set({ attributes: toJson(attributes) })
        .where('project_id', '=', projectId)
        .where('vector_store_id', '=', vectorStoreId)
        .where('id', '=', fileId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(projectId, vectorStoreId, fileId) {
      const result = await db
        .deleteFrom('vector_store_files')
        .where('project_id', '=', projectId)
        .where('vector_store_id', '=', vectorStoreId)
        .where('id', '=', fileId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async deleteEverywhere(projectId, fileId) {
      const result = await db
        .deleteFrom('vector_store_files')
        .where('project_id', '=', projectId)
        .where('id', '=', fileId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async counts(projectId, scope) {
      let query = db
        .selectFrom('vector_store_files')
        .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
        .where('project_id', '=', projectId);
      query =
        'batchId' in scope
          ? query.where('batch_id', '=', scope.batchId)
          : query.where('vector_store_id', '=', scope.vectorStoreId);
      const rows = await query.groupBy('status').execute();
      return fileCounts(Object.fromEntries(rows.map((row) => [row.status, Number(row.count)])));
    },
    async usageBytes(projectId, vectorStoreId) {
      const row = await db
        .selectFrom('vector_store_files')
        .select((eb) => eb.fn.sum<number>('usage_bytes').as('usage'))
        .where('project_id', '=', projectId)
        .where('vector_store_id', '=', vectorStoreId)
        .executeTakeFirst();
      return Number(row?.usage ?? 0);
    },
    async cancelInProgress(projectId, batchId) {
      const result = await db
        .updateTable('vector_store_files')
        .set({ status: 'cancelled', lease_owner: null, lease_until: null })
        .where('project_id', '=', projectId)
        .where('batch_id', '=', batchId)
        .where('status', '=', 'in_progress')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async completedAttributes(projectId, vectorStoreIds) {
      if (vectorStoreIds.length === 0) return [];
      const rows = await db
        .selectFrom('vector_store_files')
        .select(['vector_store_id', 'id', 'attributes'])
        .where('project_id', '=', projectId)
        .where('vector_store_id', 'in', vectorStoreIds)
        .where('status', '=', 'completed')
        .execute();
      return rows.map((row) => ({
        vectorStoreId: row.vector_store_id,
        fileId: row.id,
        attributes: fromJson(row.attributes),
      }));
    },
  };
}

export function fileBatchesRepository(db: Kysely<Database>): FileBatchRepository {
  return {
    async insert(projectId, batch) {
      await db
        .insertInto('vector_store_file_batches')
        .values({ ...batch, project_id: projectId })
        .execute();
    },
    async find(projectId, vectorStoreId, id) {
      const row = await db
        .selectFrom('vector_store_file_batches')
        .select(['id', 'vector_store_id', 'created_at', 'cancelled_at'])
        .where('project_id', '=', projectId)
        .where('vector_store_id', '=', vectorStoreId)
        .where('id', '=', id)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          vector_store_id: row.vector_store_id,
          created_at: Number(row.created_at),
          cancelled_at: row.cancelled_at === null ? null : Number(row.cancelled_at),
        }
      );
    },
    async markCancelled(projectId, id, at) {
      await db
        .updateTable('vector_store_file_batches')
        .set({ cancelled_at: at })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .execute();
    },
  };
}

/** Vector stores on Kysely, for both dialects; counts and usage are aggregated from their files on read. */
import type { Kysely, Selectable } from 'kysely';
import {
  fileCounts,
  vectorStoreObject,
  type VectorStoreRecord,
  type VectorStoreFileStatus,
} from '../../domain/vector-store.ts';
import { listPage } from '../../domain/list-page.ts';
import type { VectorStoreRepository } from '../store.ts';
import type { Database, VectorStoresTable } from './database.ts';
import { fromJson, fromNullableJson, toJson, toNullableJson } from './json-column.ts';
import { paginate } from './paginate.ts';

function toRecord(row: Selectable<VectorStoresTable>): VectorStoreRecord {
  return {
    id: row.id,
    created_at: Number(row.created_at),
    name: row.name,
    description: row.description,
    metadata: fromJson(row.metadata),
    expires_after: fromNullableJson(row.expires_after),
    last_active_at: row.last_active_at === null ? null : Number(row.last_active_at),
  };
}

/** File counts and usage of each given store, in one grouped query. */
async function statsOf(db: Kysely<Database>, storeIds: string[]) {
  const stats = new Map<
    string,
    { byStatus: Partial<Record<VectorStoreFileStatus, number>>; usageBytes: number }
  >();
  for (const id of storeIds) stats.set(id, { byStatus: {}, usageBytes: 0 });
  if (storeIds.length === 0) return stats;
  const rows = await db
    .selectFrom('vector_store_files')
    .select((eb) => [
      'vector_store_id',
      'status',
      eb.fn.countAll<number>().as('count'),
      eb.fn.sum<number>('usage_bytes').as('usage'),
    ])
    .where('vector_store_id', 'in', storeIds)
    .groupBy(['vector_store_id', 'status'])
    .execute();
  for (const row of rows) {
    const entry = stats.get(row.vector_store_id)!;
    entry.byStatus[row.status as VectorStoreFileStatus] = Number(row.count);
    entry.usageBytes += Number(row.usage ?? 0);
  }
  return stats;
}

export function vectorStoresRepository(db: Kysely<Database>): VectorStoreRepository {
  const scoped = (projectId: string) =>
    db.selectFrom('vector_stores').selectAll().where('project_id', '=', projectId);
  const toObjects = async (records: VectorStoreRecord[], now: number) => {
    const stats = await statsOf(
      db,
      records.map((record) => record.id),
    );
    return records.map((record) => {
      const entry = stats.get(record.id)!;
      return vectorStoreObject(
        record,
        { counts: fileCounts(entry.byStatus), usageBytes: entry.usageBytes },
        now,
      );
    });
  };
  return {
    async insert(projectId, record) {
      await db
        .insertInto('vector_stores')
        .values({
          id: record.id,
          project_id: projectId,
          created_at: record.created_at,
          name: record.name,
          description: record.description,
          metadata: toJson(record.metadata),
          expires_after: toNullableJson(record.expires_after),
          last_active_at: record.last_active_at,
        })
        .execute();
    },
    async find(projectId, id, now) {
      const row = await scoped(projectId).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return (await toObjects([toRecord(row)], now))[0];
    },
    async findRecord(projectId, id) {
      const row = await scoped(projectId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async existing(projectId, ids) {
      if (ids.length === 0) return new Set();
      const rows = await scoped(projectId)
        .clearSelect()
        .select('id')
        .where('id', 'in', ids)
        .execute();
      return new Set(rows.map((row) => row.id));
    },
    async update(projectId, record) {
      const result = await db
        .updateTable('vector_stores')
        .set({
          name: record.name,
          description: record.description,
          metadata: toJson(record.metadata),
          expires_after: toNullableJson(record.expires_after),
          last_active_at: record.last_active_at,
        })
        .where('id', '=', record.id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(projectId, id) {
      const result = await db
        .deleteFrom('vector_stores')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async list(projectId, page, now) {
      const records = await paginate(scoped(projectId), page, toRecord);
      const data = await toObjects(records.data, now);
      return listPage(data, records.has_more);
    },
    async embeddingModels(ids) {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('vector_stores')
        .select(['id', 'embedding_model'])
        .where('id', 'in', ids)
        .execute();
      return new Map(rows.map((row) => [row.id, row.embedding_model]));
    },
    async touch(projectId, id, at) {
      await db
        .updateTable('vector_stores')
        .set({ last_active_at: at })
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .execute();
    },
  };
}

/** File metadata on Kysely, for both dialects. Expired files read as absent before the sweeper removes them. */
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { FileObject, FilePurpose } from '../../domain/file.ts';
import type { FileRepository } from '../store.ts';
import type { Database, Dialect, FilesTable } from './database.ts';
import { paginate } from './paginate.ts';

function toObject(row: Selectable<FilesTable>): FileObject {
  return {
    id: row.id,
    object: 'file',
    bytes: Number(row.bytes),
    created_at: Number(row.created_at),
    filename: row.filename,
    purpose: row.purpose as FilePurpose,
    status: 'processed',
    expires_at: row.expires_at === null ? null : Number(row.expires_at),
    status_details: null,
  };
}

const unexpired = (now: number) => (eb: ExpressionBuilder<Database, 'files'>) =>
  eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]);

export function filesRepository(db: Kysely<Database>, dialect: Dialect): FileRepository {
  // Stored bytes are metered by the database in the insert or delete itself (migration 0017).
  const scoped = (projectId: string, now: number) =>
    db.selectFrom('files').selectAll().where('project_id', '=', projectId).where(unexpired(now));
  return {
    async insert(projectId, file, contentType, apiKeyId) {
      await db
        .insertInto('files')
        .values({
          id: file.id,
          project_id: projectId,
          created_at: file.created_at,
          bytes: file.bytes,
          filename: file.filename,
          purpose: file.purpose,
          content_type: contentType,
          expires_at: file.expires_at,
          api_key_id: apiKeyId ?? null,
        })
        .execute();
    },
    async find(projectId, id, now) {
      const row = await scoped(projectId, now).where('id', '=', id).executeTakeFirst();
      return row && { file: toObject(row), contentType: row.content_type };
    },
    async findMany(projectId, ids, now) {
      if (ids.length === 0) return [];
      return (await scoped(projectId, now).where('id', 'in', ids).execute()).map(toObject);
    },
    async existing(projectId, ids, now, holdAgainstDeletion = false) {
      if (ids.length === 0) return new Set();
      const query = scoped(projectId, now).clearSelect().select('id').where('id', 'in', ids);
      const rows = await (
        holdAgainstDeletion && dialect === 'postgres' ? query.forShare() : query
      ).execute();
      return new Set(rows.map((row) => row.id));
    },
    list(projectId, page, filter, now) {
      let query = scoped(projectId, now);
      if (filter.purpose !== undefined) query = query.where('purpose', '=', filter.purpose);
      return paginate(query, page, toObject);
    },
    async delete(projectId, id) {
      const removed = await db
        .deleteFrom('files')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return removed.numDeletedRows > 0n;
    },
    async listExpired(now, limit) {
      const rows = await db
        .selectFrom('files')
        .select(['id', 'project_id'])
        .where('expires_at', '<=', now)
        .limit(limit)
        .execute();
      return rows.map((row) => ({ projectId: row.project_id, id: row.id }));
    },
  };
}

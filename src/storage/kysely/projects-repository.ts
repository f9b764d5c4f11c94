/** Projects and API keys on Kysely, for both dialects. */
import type { Kysely, Selectable } from 'kysely';
import type { ApiKey, Project } from '../../domain/project.ts';
import type { ApiKeyRepository, ProjectRepository } from '../store.ts';
import type { ApiKeysTable, Database, ProjectsTable } from './database.ts';
import { paginate } from './paginate.ts';

function toProject(row: Selectable<ProjectsTable>): Project {
  const archivedAt = row.archived_at === null ? null : Number(row.archived_at);
  return {
    id: row.id,
    object: 'organization.project',
    name: row.name,
    created_at: Number(row.created_at),
    archived_at: archivedAt,
    status: archivedAt === null ? 'active' : 'archived',
  };
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    object: 'organization.project.api_key',
    name: row.name,
    redacted_value: row.redacted_value,
    created_at: Number(row.created_at),
    last_used_at: row.last_used_at === null ? null : Number(row.last_used_at),
    project_id: row.project_id,
  };
}

export function projectsRepository(db: Kysely<Database>): ProjectRepository {
  return {
    async insert(project) {
      await db
        .insertInto('projects')
        .values({
          id: project.id,
          name: project.name,
          created_at: project.created_at,
          archived_at: project.archived_at,
        })
        .execute();
    },
    async find(id) {
      const row = await db
        .selectFrom('projects')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toProject(row);
    },
    async update(project) {
      await db
        .updateTable('projects')
        .set({ name: project.name, archived_at: project.archived_at })
        .where('id', '=', project.id)
        .execute();
    },
    list(page) {
      return paginate(db.selectFrom('projects').selectAll(), page, toProject);
    },
  };
}

export function apiKeysRepository(db: Kysely<Database>): ApiKeyRepository {
  return {
    async insert(key, keyHash) {
      await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          project_id: key.project_id,
          name: key.name,
          key_hash: keyHash,
          redacted_value: key.redacted_value,
          created_at: key.created_at,
          last_used_at: key.last_used_at,
        })
        .execute();
    },
    async findByHash(keyHash) {
      const row = await db
        .selectFrom('api_keys')
        .innerJoin('projects', 'projects.id', 'api_keys.project_id')
        .selectAll('api_keys')
        .select([
          'projects.name as project_name',
          'projects.created_at as project_created_at',
          'projects.archived_at',
        ])
        .where('api_keys.key_hash', '=', keyHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const project = toProject({
        id: row.project_id,
        name: row.project_name,
        created_at: row.project_created_at,
        archived_at: row.archived_at,
      });
      return { key: toApiKey(row), project };
    },
    async find(projectId, id) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && toApiKey(row);
    },
    list(projectId, page) {
      return paginate(
        db.selectFrom('api_keys').selectAll().where('project_id', '=', projectId),
        page,
        toApiKey,
      );
    },
    async delete(projectId, id) {
      const result = await db
        .deleteFrom('api_keys')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async touch(id, usedAt) {
      await db.updateTable('api_keys').set({ last_used_at: usedAt }).where('id', '=', id).execute();
    },
  };
}

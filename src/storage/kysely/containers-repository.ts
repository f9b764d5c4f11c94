/** Containers and their files on Kysely, for both dialects. */
import { sql, type Kysely, type Selectable } from 'kysely';
import {
  containerStatus,
  type Container,
  type ContainerFile,
  type ContainerMemoryLimit,
} from '../../domain/container.ts';
import type {
  ContainerFileRepository,
  ContainerRepository,
} from '../ports/container-repository.ts';
import type { ContainerFilesTable, ContainersTable, Database } from './database.ts';
import { paginate } from './paginate.ts';
import { isForeignKeyViolation } from '../foreign-key-violation.ts';

function toContainer(row: Selectable<ContainersTable>, now: number): Container {
  const stored = {
    last_active_at: Number(row.last_active_at),
    expires_after: {
      anchor: 'last_active_at' as const,
      minutes: Number(row.expires_after_minutes),
    },
  };
  return {
    id: row.id,
    object: 'container',
    name: row.name,
    created_at: Number(row.created_at),
    status: containerStatus(stored, now),
    ...stored,
    memory_limit: row.memory_limit as ContainerMemoryLimit,
    network_policy: { type: 'disabled' },
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function toFile(row: Selectable<ContainerFilesTable>): ContainerFile {
  return {
    id: row.id,
    object: 'container.file',
    container_id: row.container_id,
    created_at: Number(row.created_at),
    bytes: Number(row.bytes),
    path: row.path,
    source: row.source as ContainerFile['source'],
  };
}

export function containersRepository(db: Kysely<Database>): ContainerRepository {
  const scoped = (projectId: string) =>
    db.selectFrom('containers').selectAll().where('project_id', '=', projectId);
  return {
    async insert(projectId, container) {
      await db
        .insertInto('containers')
        .values({
          id: container.id,
          project_id: projectId,
          name: container.name,
          created_at: container.created_at,
          last_active_at: container.last_active_at,
          expires_after_minutes: container.expires_after.minutes,
          memory_limit: container.memory_limit,
        })
        .execute();
    },
    async find(projectId, id, now) {
      const row = await scoped(projectId).where('id', '=', id).executeTakeFirst();
      return row && toContainer(row, now);
    },
    list(projectId, page, filter, now) {
      const query =
        filter.name === undefined
          ? scoped(projectId)
          : scoped(projectId).where('name', '=', filter.name);
      return paginate(query, page, (row: Selectable<ContainersTable>) => toContainer(row, now));
    },
    async delete(projectId, id) {
      const result = await db
        .deleteFrom('containers')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async touch(projectId, id, now) {
      const result = await db
        .updateTable('containers')
        .set({ last_active_at: now })
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .where(sql<boolean>`last_active_at + expires_after_minutes * 60 > ${now}`)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

const MAX_PUT_ATTEMPTS = 100;

export function containerFilesRepository(db: Kysely<Database>): ContainerFileRepository {
  const scoped = (projectId: string, containerId: string) =>
    db
      .selectFrom('container_files')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('container_id', '=', containerId);
  return {
    async put(projectId, file) {
      // Delete-then-insert; a concurrent put of the same path makes the insert hit the unique
      // (container_id, path) key, and the next attempt deletes that file instead: last one wins.
      // Each round of racers has a winner, so N racers need at most N attempts; the cap is only a
      // guard against a key that never stops conflicting.
      const replaced: string[] = [];
      for (let attempt = 1; ; attempt++) {
        const deleted = await db
          .deleteFrom('container_files')
          .where('project_id', '=', projectId)
          .where('container_id', '=', file.container_id)
          .where('path', '=', file.path)
          .returning('id')
          .execute();
        replaced.push(...deleted.map((row) => row.id));
        try {
          await db
            .insertInto('container_files')
            .values({
              id: file.id,
              project_id: projectId,
              container_id: file.container_id,
              created_at: file.created_at,
              bytes: file.bytes,
              path: file.path,
              source: file.source,
            })
            .execute();
          return { added: true, replaced };
        } catch (error) {
          // The container was deleted while its file was being added.
          if (isForeignKeyViolation(error)) return { added: false, replaced };
          if (attempt >= MAX_PUT_ATTEMPTS || !isUniqueViolation(error)) throw error;
        }
      }
    },
    async atPath(projectId, containerId, path) {
      const row = await scoped(projectId, containerId).where('path', '=', path).executeTakeFirst();
      return row && toFile(row);
    },
    async find(projectId, containerId, id) {
      const row = await scoped(projectId, containerId).where('id', '=', id).executeTakeFirst();
      return row && toFile(row);
    },
    list(projectId, containerId, page) {
      return paginate(scoped(projectId, containerId), page, toFile);
    },
    async listAll(projectId, containerId) {
      const rows = await scoped(projectId, containerId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toFile);
    },
    async delete(projectId, containerId, id) {
      const result = await db
        .deleteFrom('container_files')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .where('container_id', '=', containerId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

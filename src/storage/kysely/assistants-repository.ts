/** Assistants on Kysely, for both dialects. */
import type { Kysely, Selectable } from 'kysely';
import type { Assistant, ToolResources } from '../../domain/assistant.ts';
import type { AssistantRepository } from '../store.ts';
import type { AssistantsTable, Database, Dialect } from './database.ts';
import { fromJson, fromNullableJson, toJson, toNullableJson } from './json-column.ts';
import { paginate } from './paginate.ts';
import { executeWritten, writtenSql } from './written-sql.ts';

/** An assistant by id (every run reads its assistant): written out, see written-sql.ts. */
const FIND_ASSISTANT = writtenSql('select * from "assistants" where "project_id" = ? and "id" = ?');
/** The same with its row's version (PostgreSQL's `xmin`, which every update of the row changes). */
const FIND_VERSIONED_ASSISTANT = writtenSql(
  'select "xmin"::text as "version", * from "assistants" where "project_id" = ? and "id" = ?',
);

/** Assistants kept for runs' creations; the oldest goes past this many. */
const CACHED_ASSISTANTS = 256;

/**
 * A process's assistants as runs' creations last read them, with their rows' versions (PostgreSQL).
 * Shared by the store and its transactions, so that an update through either drops its entry; one
 * updated by another process stays until a run's insert finds its version stale.
 */
export type AssistantCache = Map<string, { assistant: Assistant; version: string }>;

function deepFreeze<Value>(value: Value): Value {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function toRow(projectId: string, assistant: Assistant): AssistantsTable {
  return {
    id: assistant.id,
    project_id: projectId,
    created_at: assistant.created_at,
    name: assistant.name,
    description: assistant.description,
    model: assistant.model,
    instructions: assistant.instructions,
    tools: toJson(assistant.tools),
    tool_resources: toNullableJson(assistant.tool_resources),
    metadata: toJson(assistant.metadata),
    temperature: assistant.temperature,
    top_p: assistant.top_p,
    response_format: toNullableJson(assistant.response_format),
    reasoning_effort: assistant.reasoning_effort,
  };
}

function toObject(row: Selectable<AssistantsTable>): Assistant {
  return {
    id: row.id,
    object: 'assistant',
    created_at: Number(row.created_at),
    name: row.name,
    description: row.description,
    model: row.model,
    instructions: row.instructions,
    tools: fromJson(row.tools),
    tool_resources: fromNullableJson<ToolResources>(row.tool_resources) ?? {},
    metadata: fromJson(row.metadata),
    temperature: row.temperature,
    top_p: row.top_p,
    response_format: fromNullableJson(row.response_format),
    reasoning_effort: row.reasoning_effort as Assistant['reasoning_effort'],
  };
}

/** A cache entry's key. */
const key = (projectId: string, id: string) => `${projectId}/${id}`;

/** `cache`: on PostgreSQL, where a run's insert checks the version (`findVersioned`). */
export function assistantsRepository(
  db: Kysely<Database>,
  dialect: Dialect,
  cache?: AssistantCache,
): AssistantRepository {
  const scoped = (projectId: string) =>
    db.selectFrom('assistants').selectAll().where('project_id', '=', projectId);
  const findVersioned: AssistantRepository['findVersioned'] = cache
    ? async (projectId, id, fresh) => {
        const cached = fresh ? undefined : cache.get(key(projectId, id));
        if (cached) return cached;
        const { rows } = await executeWritten<Selectable<AssistantsTable> & { version: string }>(
          db,
          dialect,
          FIND_VERSIONED_ASSISTANT,
          [projectId, id],
        );
        const row = rows[0];
        if (!row) {
          cache.delete(key(projectId, id));
          return undefined;
        }
        const found = { assistant: deepFreeze(toObject(row)), version: row.version };
        cache.delete(key(projectId, id));
        cache.set(key(projectId, id), found);
        if (cache.size > CACHED_ASSISTANTS) cache.delete(cache.keys().next().value!);
        return found;
      }
    : undefined;
  return {
    ...(findVersioned && { findVersioned }),
    async insert(projectId, assistant) {
      await db.insertInto('assistants').values(toRow(projectId, assistant)).execute();
    },
    async find(projectId, id) {
      const { rows } = await executeWritten<Selectable<AssistantsTable>>(
        db,
        dialect,
        FIND_ASSISTANT,
        [projectId, id],
      );
      return rows[0] && toObject(rows[0]);
    },
    async update(projectId, assistant) {
      cache?.delete(key(projectId, assistant.id));
      const { id, project_id, created_at, ...changes } = toRow(projectId, assistant);
      const result = await db
        .updateTable('assistants')
        .set(changes)
        .where('id', '=', id)
        .where('project_id', '=', project_id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async delete(projectId, id) {
      cache?.delete(key(projectId, id));
      const result = await db
        .deleteFrom('assistants')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    list(projectId, page) {
      return paginate(scoped(projectId), page, toObject);
    },
  };
}

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

export function assistantsRepository(db: Kysely<Database>, dialect: Dialect): AssistantRepository {
  const scoped = (projectId: string) =>
    db.selectFrom('assistants').selectAll().where('project_id', '=', projectId);
  return {
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

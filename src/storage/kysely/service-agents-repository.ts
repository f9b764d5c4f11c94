/** Service agents and their actions on Kysely, both stored whole as JSON with query columns beside. */
import type { Kysely } from 'kysely';
import type { ServiceAgent, ServiceAgentAction } from '../../domain/service-agent.ts';
import {
  ServiceAgentNameTakenError,
  type ServiceAgentActionRepository,
  type ServiceAgentRepository,
} from '../ports/service-agents-port.ts';
import type { Database } from './database.ts';
import { paginate } from './paginate.ts';

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

const toAgent = (row: { object: string }) => JSON.parse(row.object) as ServiceAgent;
const toAction = (row: { object: string }) => JSON.parse(row.object) as ServiceAgentAction;
const withState = (row: { object: string; state: string | null }) => ({
  action: toAction(row),
  state: row.state ? (JSON.parse(row.state) as Record<string, unknown>) : undefined,
});

export function serviceAgentsRepository(db: Kysely<Database>): ServiceAgentRepository {
  const scoped = (projectId: string) =>
    db
      .selectFrom('service_agents')
      .select(['id', 'created_at', 'object'])
      .where('project_id', '=', projectId);
  return {
    async insert(projectId, agent) {
      try {
        await db
          .insertInto('service_agents')
          .values({
            id: agent.id,
            project_id: projectId,
            created_at: agent.created_at,
            name: agent.name,
            object: JSON.stringify(agent),
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ServiceAgentNameTakenError(agent.name, { cause: error });
        throw error;
      }
    },
    async find(projectId, id) {
      const row = await scoped(projectId).where('id', '=', id).executeTakeFirst();
      return row && toAgent(row);
    },
    async findByName(projectId, name) {
      const row = await scoped(projectId).where('name', '=', name).executeTakeFirst();
      return row && toAgent(row);
    },
    async update(projectId, agent) {
      try {
        const result = await db
          .updateTable('service_agents')
          .set({ name: agent.name, object: JSON.stringify(agent) })
          .where('id', '=', agent.id)
          .where('project_id', '=', projectId)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ServiceAgentNameTakenError(agent.name, { cause: error });
        throw error;
      }
    },
    async delete(projectId, id) {
      const result = await db
        .deleteFrom('service_agents')
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    list(projectId, page) {
      return paginate(scoped(projectId), page, toAgent);
    },
  };
}

export function serviceAgentActionsRepository(db: Kysely<Database>): ServiceAgentActionRepository {
  const scoped = (projectId: string) =>
    db
      .selectFrom('service_agent_actions')
      .select(['id', 'created_at', 'object', 'state'])
      .where('project_id', '=', projectId);
  return {
    async insert(projectId, action, state) {
      await db
        .insertInto('service_agent_actions')
        .values({
          id: action.id,
          project_id: projectId,
          service_agent_id: action.service_agent_id,
          run_id: action.run_id,
          tool_call_id: action.tool_call_id,
          status: action.status,
          created_at: action.created_at,
          executed_at: action.status === 'executed' ? action.updated_at : null,
          value_usd: action.value_usd,
          object: JSON.stringify(action),
          state: state ? JSON.stringify(state) : null,
        })
        .execute();
    },
    async find(projectId, id) {
      const row = await scoped(projectId).where('id', '=', id).executeTakeFirst();
      return row && withState(row);
    },
    async findLatestForToolCall(projectId, toolCallId) {
      const row = await scoped(projectId)
        .where('tool_call_id', '=', toolCallId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && withState(row);
    },
    async compareAndSet(projectId, action, expected) {
      const result = await db
        .updateTable('service_agent_actions')
        .set({
          status: action.status,
          executed_at: action.status === 'executed' ? action.updated_at : null,
          value_usd: action.value_usd,
          object: JSON.stringify(action),
        })
        .where('id', '=', action.id)
        .where('project_id', '=', projectId)
        .where('status', '=', expected)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    list(projectId, page, filter) {
      let query = scoped(projectId);
      if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
      if (filter.serviceAgentId !== undefined)
        query = query.where('service_agent_id', '=', filter.serviceAgentId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      return paginate(query, page, toAction);
    },
    async spentSince(projectId, serviceAgentId, sinceSeconds) {
      const row = await db
        .selectFrom('service_agent_actions')
        .select((builder) => builder.fn.sum<number>('value_usd').as('total'))
        .where('project_id', '=', projectId)
        .where('service_agent_id', '=', serviceAgentId)
        .where('status', '=', 'executed')
        .where('executed_at', '>=', sinceSeconds)
        .executeTakeFirst();
      return Number(row?.total ?? 0);
    },
  };
}

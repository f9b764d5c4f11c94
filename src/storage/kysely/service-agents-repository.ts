/** Service agents and their actions on Kysely, both stored whole as JSON with query columns beside. */
import type { Kysely } from 'kysely';
import { assertActionTransition, RESERVING_ACTION_STATUSES } from '../../domain/action-status.ts';
import type {
  ActionDecider,
  ActionStatus,
  ServiceAgent,
  ServiceAgentAction,
  TransitionNote,
} from '../../domain/service-agent.ts';
import {
  ServiceAgentNameTakenError,
  type ServiceAgentActionRepository,
  type StoredAction,
  type ServiceAgentRepository,
} from '../ports/service-agents-port.ts';
import type { Database, Dialect } from './database.ts';
import { paginate } from './paginate.ts';
import { withTransaction } from './with-transaction.ts';

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

const toAgent = (row: { object: string }) => JSON.parse(row.object) as ServiceAgent;
const toAction = (row: { object: string }) => JSON.parse(row.object) as ServiceAgentAction;
const withState = (row: {
  object: string;
  state: string | null;
  lease_holder: string | null;
  lease_expires_at_ms: number | null;
}): StoredAction => ({
  action: toAction(row),
  state: row.state ? (JSON.parse(row.state) as Record<string, unknown>) : undefined,
  lease:
    row.lease_holder === null
      ? null
      : { holder: row.lease_holder, expires_at_ms: Number(row.lease_expires_at_ms) },
});

export function serviceAgentsRepository(
  db: Kysely<Database>,
  dialect: Dialect,
): ServiceAgentRepository {
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
    async findForUpdate(projectId, id) {
      const query = scoped(projectId).where('id', '=', id);
      // SQLite has no row locks; its transactions start with BEGIN IMMEDIATE, which is stronger.
      const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
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

/** Appends one row to an action's transition log; call inside the transaction that wrote the status. */
async function logTransition(
  db: Kysely<Database>,
  projectId: string,
  action: ServiceAgentAction,
  from: ActionStatus | null,
  note: TransitionNote,
): Promise<void> {
  const last = await db
    .selectFrom('service_agent_action_transitions')
    .select((builder) => builder.fn.max<number>('seq').as('seq'))
    .where('action_id', '=', action.id)
    .executeTakeFirst();
  await db
    .insertInto('service_agent_action_transitions')
    .values({
      action_id: action.id,
      seq: Number(last?.seq ?? 0) + 1,
      project_id: projectId,
      from_status: from,
      to_status: action.status,
      at: action.updated_at,
      decided_by: note.decided_by,
      key_id: note.key_id ?? null,
      reason: note.reason,
    })
    .execute();
}

export function serviceAgentActionsRepository(db: Kysely<Database>): ServiceAgentActionRepository {
  const scoped = (projectId: string) =>
    db
      .selectFrom('service_agent_actions')
      .select(['id', 'created_at', 'object', 'state', 'lease_holder', 'lease_expires_at_ms'])
      .where('project_id', '=', projectId);
  return {
    async insert(projectId, action, state, note) {
      assertActionTransition(null, action.status);
      await withTransaction(db, async (transaction) => {
        await transaction
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
        await logTransition(transaction, projectId, action, null, note);
      });
    },
    async find(projectId, id) {
      const row = await scoped(projectId).where('id', '=', id).executeTakeFirst();
      return row && withState(row);
    },
    async findLatestForToolCall(projectId, runId, toolCallId) {
      const row = await scoped(projectId)
        .where('run_id', '=', runId)
        .where('tool_call_id', '=', toolCallId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && withState(row);
    },
    async compareAndSet(projectId, action, expected, note, lease = {}) {
      assertActionTransition(expected, action.status);
      return withTransaction(db, async (transaction) => {
        let update = transaction
          .updateTable('service_agent_actions')
          .set({
            status: action.status,
            executed_at: action.status === 'executed' ? action.updated_at : null,
            value_usd: action.value_usd,
            object: JSON.stringify(action),
            lease_holder: lease.next?.holder ?? null,
            lease_expires_at_ms: lease.next?.expires_at_ms ?? null,
          })
          .where('id', '=', action.id)
          .where('project_id', '=', projectId)
          .where('status', '=', expected);
        if (lease.expected) {
          update = update.where('lease_holder', '=', lease.expected.holder);
          if (lease.expected.expires_at_ms !== undefined)
            update = update.where('lease_expires_at_ms', '=', lease.expected.expires_at_ms);
        }
        const result = await update.executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await logTransition(transaction, projectId, action, expected, note);
        return true;
      });
    },
    async renewLease(projectId, actionId, holder, expiresAtMs) {
      const result = await db
        .updateTable('service_agent_actions')
        .set({ lease_expires_at_ms: expiresAtMs })
        .where('id', '=', actionId)
        .where('project_id', '=', projectId)
        .where('status', '=', 'executing')
        .where('lease_holder', '=', holder)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async takeOver(projectId, action, lapsed, next, nowMs, note) {
      return withTransaction(db, async (transaction) => {
        let update = transaction
          .updateTable('service_agent_actions')
          .set({
            object: JSON.stringify(action),
            lease_holder: next.holder,
            lease_expires_at_ms: next.expires_at_ms,
          })
          .where('id', '=', action.id)
          .where('project_id', '=', projectId)
          .where('status', '=', 'executing');
        update = lapsed
          ? update
              .where('lease_holder', '=', lapsed.holder)
              .where('lease_expires_at_ms', '=', lapsed.expires_at_ms)
              .where('lease_expires_at_ms', '<=', nowMs)
          : update.where('lease_holder', 'is', null);
        const result = await update.executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await logTransition(transaction, projectId, action, 'executing', note);
        return true;
      });
    },
    list(projectId, page, filter) {
      let query = scoped(projectId);
      if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
      if (filter.serviceAgentId !== undefined)
        query = query.where('service_agent_id', '=', filter.serviceAgentId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      return paginate(query, page, toAction);
    },
    async committed(projectId, serviceAgentId, query) {
      const reserving = RESERVING_ACTION_STATUSES.filter(
        (status) => query.countPending || status !== 'pending_approval',
      );
      let select = db
        .selectFrom('service_agent_actions')
        .select((builder) => builder.fn.sum<number>('value_usd').as('total'))
        .where('project_id', '=', projectId)
        .where('service_agent_id', '=', serviceAgentId)
        .where((builder) =>
          builder.or([
            builder.and([
              builder('status', '=', 'executed'),
              builder('executed_at', '>=', query.sinceSeconds),
            ]),
            builder('status', 'in', reserving),
          ]),
        );
      if (query.excludeActionId !== undefined)
        select = select.where('id', '!=', query.excludeActionId);
      const row = await select.executeTakeFirst();
      return Number(row?.total ?? 0);
    },
    async listPending(projectId, serviceAgentId) {
      const rows = await db
        .selectFrom('service_agent_actions as action')
        .leftJoin('runs as run', 'run.id', 'action.run_id')
        .select(['action.object as object', 'run.status as run_status'])
        .where('action.project_id', '=', projectId)
        .where('action.service_agent_id', '=', serviceAgentId)
        .where('action.status', '=', 'pending_approval')
        .execute();
      return rows.map((row) => ({ action: toAction(row), runStatus: row.run_status }));
    },
    async transitions(projectId, actionId) {
      const rows = await db
        .selectFrom('service_agent_action_transitions')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('action_id', '=', actionId)
        .orderBy('seq')
        .execute();
      return rows.map((row) => ({
        object: 'service_agent.action.transition' as const,
        from: row.from_status as ActionStatus | null,
        to: row.to_status as ActionStatus,
        at: row.at,
        decided_by: row.decided_by as ActionDecider,
        project_id: row.project_id,
        key_id: row.key_id,
        reason: row.reason,
      }));
    },
  };
}

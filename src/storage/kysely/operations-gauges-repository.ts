/** The operator's gauges on Kysely: one aggregate per figure, each on an indexed status column. */
import type { Kysely } from 'kysely';
import type { OperationsGauges } from '../ports/operations-gauges.ts';
import type { Database } from './database.ts';

export function operationsGaugesRepository(db: Kysely<Database>): OperationsGauges {
  const countActions = async (status: string) =>
    Number(
      (
        await db
          .selectFrom('service_agent_actions')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('status', '=', status)
          .executeTakeFirst()
      )?.count ?? 0,
    );
  const countFiles = async (status: string) =>
    Number(
      (
        await db
          .selectFrom('vector_store_files')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('status', '=', status)
          .executeTakeFirst()
      )?.count ?? 0,
    );
  return {
    async read() {
      const queue = await db
        .selectFrom('runs')
        .select((eb) => [
          eb.fn.countAll<number>().as('count'),
          eb.fn.min<number | null>('created_at').as('oldest'),
        ])
        .where('status', '=', 'queued')
        .executeTakeFirst();
      const spend = await db
        .selectFrom('service_agent_actions as action')
        .innerJoin('service_agents as agent', 'agent.id', 'action.service_agent_id')
        .select((eb) => ['agent.name as name', eb.fn.sum<number>('action.value_usd').as('usd')])
        .where('action.status', '=', 'executed')
        .groupBy('agent.name')
        .execute();
      return {
        queuedRuns: Number(queue?.count ?? 0),
        oldestQueuedCreatedAt: queue?.oldest == null ? null : Number(queue.oldest),
        ingestionBacklog: await countFiles('in_progress'),
        ingestionFailed: await countFiles('failed'),
        pendingApprovals: await countActions('pending_approval'),
        deniedActions: await countActions('denied'),
        executedSpendUsd: spend.map((row) => ({ serviceAgent: row.name, usd: Number(row.usd) })),
      };
    },
  };
}

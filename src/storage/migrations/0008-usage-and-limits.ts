/**
 * Operations: an index for the metrics endpoint's count of actions by status (pending approvals,
 * policy denials), which the spending index (agent first) cannot serve.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex('service_agent_actions_by_status')
    .on('service_agent_actions')
    .column('status')
    .execute();
}

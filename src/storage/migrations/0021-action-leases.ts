/**
 * The lease on an executing service-agent action: who holds the claim (`approved → executing`) and
 * until when, in milliseconds. The holder renews it while the agent executes; once it lapses (the
 * holder's process stopped), one other party may take the action over. Actions left `executing` by
 * a crash before this migration have no lease: they count as lapsed.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  await db.schema
    .alterTable('service_agent_actions')
    .addColumn('lease_holder', type.text)
    .execute();
  await db.schema
    .alterTable('service_agent_actions')
    .addColumn('lease_expires_at_ms', type.integer)
    .execute();
}

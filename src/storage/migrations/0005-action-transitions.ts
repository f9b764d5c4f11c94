/**
 * The transition log of service-agent actions: one row per status change, with who decided (the
 * policy, a person through a project key, or the system). Actions stored before it get one row for
 * the status they had.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  await db.schema
    .createTable('service_agent_action_transitions')
    .addColumn('action_id', type.id, (column) => column.notNull())
    .addColumn('seq', type.integer, (column) => column.notNull())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('from_status', type.text)
    .addColumn('to_status', type.text, (column) => column.notNull())
    .addColumn('at', type.integer, (column) => column.notNull())
    .addColumn('decided_by', type.text, (column) => column.notNull())
    .addColumn('key_id', type.id)
    .addColumn('reason', type.text)
    .addPrimaryKeyConstraint('service_agent_action_transitions_pk', ['action_id', 'seq'])
    .execute();
  await sql`
    insert into service_agent_action_transitions
      (action_id, seq, project_id, from_status, to_status, at, decided_by, key_id, reason)
    select id, 1, project_id, null, status, created_at, 'system', null,
      'Recorded before the transition log existed.'
    from service_agent_actions
  `.execute(db);
}

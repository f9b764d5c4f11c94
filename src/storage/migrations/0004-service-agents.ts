/** Service agents and their actions (the audit log of every proposal, decision and execution). */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);

  await db.schema
    .createTable('service_agents')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('name', type.text, (column) => column.notNull())
    .addColumn('object', type.json, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('service_agents_by_project')
    .on('service_agents')
    .columns(['project_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('service_agents_unique_name')
    .on('service_agents')
    .columns(['project_id', 'name'])
    .unique()
    .execute();

  await db.schema
    .createTable('service_agent_actions')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('service_agent_id', type.id, (column) => column.notNull())
    .addColumn('run_id', type.id)
    .addColumn('tool_call_id', type.text)
    .addColumn('status', type.text, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('executed_at', type.integer)
    .addColumn('value_usd', type.real, (column) => column.notNull())
    .addColumn('object', type.json, (column) => column.notNull())
    // What the agent needs to execute (never served).
    .addColumn('state', type.json)
    .execute();
  await db.schema
    .createIndex('service_agent_actions_by_project')
    .on('service_agent_actions')
    .columns(['project_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('service_agent_actions_by_tool_call')
    .on('service_agent_actions')
    .columns(['tool_call_id'])
    .execute();
  await db.schema
    .createIndex('service_agent_actions_spending')
    .on('service_agent_actions')
    .columns(['service_agent_id', 'status', 'executed_at'])
    .execute();
}

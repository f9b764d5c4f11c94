/**
 * Containers (named code_interpreter sandboxes) and their files. A file's bytes are a blob under the
 * file's id; the row says where the code sees it (`path`) and who made it (`source`).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import { columnTypes } from './column-types.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const type = columnTypes(dialect);
  await db.schema
    .createTable('containers')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('name', type.text, (column) => column.notNull())
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('last_active_at', type.integer, (column) => column.notNull())
    .addColumn('expires_after_minutes', type.integer, (column) => column.notNull())
    .addColumn('memory_limit', type.text, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('containers_project_created')
    .on('containers')
    .columns(['project_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createTable('container_files')
    .addColumn('id', type.id, (column) => column.primaryKey())
    .addColumn('project_id', type.id, (column) => column.notNull())
    .addColumn('container_id', type.id, (column) =>
      column.notNull().references('containers.id').onDelete('cascade'),
    )
    .addColumn('created_at', type.integer, (column) => column.notNull())
    .addColumn('bytes', type.integer, (column) => column.notNull())
    .addColumn('path', type.text, (column) => column.notNull())
    .addColumn('source', type.text, (column) => column.notNull())
    .addUniqueConstraint('container_files_path_unique', ['container_id', 'path'])
    .execute();
  await db.schema
    .createIndex('container_files_container_created')
    .on('container_files')
    .columns(['container_id', 'created_at', 'id'])
    .execute();
}

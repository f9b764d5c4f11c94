/**
 * Stored bytes are metered by the database, in the statement that changes them: a trigger on each
 * table that holds billed bytes adds the change to `usage_meters` (meter `stored_bytes`, the row of
 * the project, the key that uploaded a file or '' and the current minute), so a file, a container
 * file or a vector store file and its meter commit together or not at all, whichever code path or
 * cascade (a container's or a vector store's deletion) made the change:
 * - `files.bytes` (uploads, code output; the key that uploaded);
 * - `container_files.bytes` (files uploaded to or written in a code interpreter container);
 * - `vector_store_files.usage_bytes`, the parsed size of a file in a vector store (its chunks' text
 *   and embeddings), as OpenAI bills vector storage; it is 0 until the file is indexed.
 * Container files and vector store bytes already stored count from the minute of this migration.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../kysely/database.ts';

/** The tables metered, and the column that holds each row's bytes. */
const METERED = [
  { table: 'files', bytes: 'bytes', operations: 'insert or delete' },
  { table: 'container_files', bytes: 'bytes', operations: 'insert or delete' },
  {
    table: 'vector_store_files',
    bytes: 'usage_bytes',
    operations: 'insert or delete or update of usage_bytes',
  },
] as const;

const UPSERT = `on conflict (meter, minute, project_id, api_key_id)
  do update set amount = usage_meters.amount + excluded.amount`;

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  const minute = `(cast(strftime('%s', 'now') as integer) / 60) * 60`;
  for (const { table, bytes } of METERED) {
    const key = (row: string) => (table === 'files' ? `coalesce(${row}.api_key_id, '')` : `''`);
    const meter = (row: string, amount: string) => `
      insert into usage_meters (project_id, api_key_id, meter, minute, amount)
      values (${row}.project_id, ${key(row)}, 'stored_bytes', ${minute}, ${amount}) ${UPSERT};`;
    await sql
      .raw(
        `create trigger ${table}_meter_insert after insert on ${table}
         when new.${bytes} <> 0 begin ${meter('new', `new.${bytes}`)} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_meter_delete after delete on ${table}
         when old.${bytes} <> 0 begin ${meter('old', `-old.${bytes}`)} end`,
      )
      .execute(db);
    if (table === 'vector_store_files')
      await sql
        .raw(
          `create trigger ${table}_meter_update after update of ${bytes} on ${table}
           when new.${bytes} <> old.${bytes} begin ${meter('new', `new.${bytes} - old.${bytes}`)} end`,
        )
        .execute(db);
  }
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  // One function for the three tables: its argument names the bytes column. `search_path from
  // current` binds it to this schema, wherever the statement that fires it runs.
  await sql
    .raw(
      `create function meter_stored_bytes() returns trigger language plpgsql
       set search_path from current as $$
       declare
         added jsonb := case when tg_op = 'DELETE' then null else to_jsonb(new) end;
         removed jsonb := case when tg_op = 'INSERT' then null else to_jsonb(old) end;
         subject jsonb := coalesce(added, removed);
         delta bigint := coalesce((added ->> tg_argv[0])::bigint, 0)
                       - coalesce((removed ->> tg_argv[0])::bigint, 0);
       begin
         if delta <> 0 then
           insert into usage_meters (project_id, api_key_id, meter, minute, amount)
           values (subject ->> 'project_id', coalesce(subject ->> 'api_key_id', ''), 'stored_bytes',
                   (floor(extract(epoch from now()) / 60) * 60)::bigint, delta) ${UPSERT};
         end if;
         return null;
       end $$`,
    )
    .execute(db);
  for (const { table, bytes, operations } of METERED)
    await sql
      .raw(
        `create trigger ${table}_meter after ${operations} on ${table}
         for each row execute function meter_stored_bytes('${bytes}')`,
      )
      .execute(db);
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const minute = Math.floor(Date.now() / 60_000) * 60;
  // `where true`: SQLite needs it to read `on conflict` after `insert … select`.
  await sql`insert into usage_meters (project_id, api_key_id, meter, minute, amount)
    select project_id, '', 'stored_bytes', ${minute}, sum(bytes)
      from (select project_id, bytes from container_files
            union all select project_id, usage_bytes from vector_store_files) stored
     where true group by project_id having sum(bytes) <> 0
    ${sql.raw(UPSERT)}`.execute(db);
  await (dialect === 'postgres' ? postgresTriggers(db) : sqliteTriggers(db));
}

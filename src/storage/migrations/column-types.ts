/**
 * Column types that differ between the dialects. Ids use the "C" collation on Postgres so that
 * they compare byte by byte, as on SQLite: pagination relies on ids sorting in creation order.
 */
import { sql, type ColumnDataType, type Expression } from 'kysely';
import type { Dialect } from '../kysely/database.ts';

type ColumnType = ColumnDataType | Expression<unknown>;

export function columnTypes(dialect: Dialect) {
  const postgres = dialect === 'postgres';
  return {
    id: (postgres ? sql`text collate "C"` : 'text') as ColumnType,
    text: 'text' as ColumnType,
    json: 'text' as ColumnType,
    integer: (postgres ? 'bigint' : 'integer') as ColumnType,
    real: (postgres ? 'double precision' : 'real') as ColumnType,
    blob: (postgres ? 'bytea' : 'blob') as ColumnType,
  };
}

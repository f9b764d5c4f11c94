/**
 * Cursor pagination by `(created_at, id)`, shared by every list. `after`/`before` are object ids,
 * relative to the requested order, as the OpenAI SDK's auto-pagination sends them. The row-value
 * comparison uses the `(scope…, created_at, id)` indexes on both SQLite and Postgres.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { anyIdTimestamp } from '../../domain/ids.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { listPage, type ListPage, type PageParams } from '../../domain/list-page.ts';

// The builder is already scoped (project, thread, …) by the caller; its table types do not matter here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ScopedQuery = SelectQueryBuilder<any, any, any>;

interface Cursor {
  createdAt: number;
  id: string;
}

async function resolveCursor(scoped: ScopedQuery, id: string, param: string): Promise<Cursor> {
  const row = (await scoped
    .clearSelect()
    .select(['created_at'])
    .where('id', '=', id)
    .executeTakeFirst()) as { created_at: number } | undefined;
  if (row) return { createdAt: Number(row.created_at), id };
  // The cursor object may have been deleted between two pages; our ids carry their creation time.
  const milliseconds = anyIdTimestamp(id);
  if (milliseconds !== undefined) return { createdAt: Math.floor(milliseconds / 1000), id };
  throw new InvalidRequestError(`Invalid '${param}': no object found with id '${id}'.`, param);
}

function compare(cursor: Cursor, operator: '>' | '<') {
  return sql<boolean>`(created_at, id) ${sql.raw(operator)} (${cursor.createdAt}, ${cursor.id})`;
}

/** Runs `scoped` (a select of whole rows) as one page and maps each row with `toObject`. */
export async function paginate<Row, Item extends { id: string }>(
  scoped: ScopedQuery,
  page: PageParams,
  toObject: (row: Row) => Item,
): Promise<ListPage<Item>> {
  const ascending = page.order === 'asc';
  let query = scoped;
  if (page.after !== undefined) {
    query = query.where(compare(await resolveCursor(scoped, page.after, 'after'), ascending ? '>' : '<'));
  }
  if (page.before !== undefined) {
    query = query.where(compare(await resolveCursor(scoped, page.before, 'before'), ascending ? '<' : '>'));
  }
  // With only `before`, the page is the `limit` items closest to the cursor: walk backwards, then flip.
  const backwards = page.before !== undefined && page.after === undefined;
  const direction = ascending !== backwards ? 'asc' : 'desc';
  const rows = (await query
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(page.limit + 1)
    .execute()) as Row[];
  const hasMore = rows.length > page.limit;
  const pageRows = rows.slice(0, page.limit);
  if (backwards) pageRows.reverse();
  return listPage(pageRows.map(toObject), hasMore);
}

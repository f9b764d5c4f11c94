/**
 * Cursor pagination by `(created_at, id)`, shared by every list. `after`/`before` are object ids,
 * relative to the requested order, as the OpenAI SDK's auto-pagination sends them. The row-value
 * comparison uses the `(scope…, created_at, id)` indexes on both SQLite and Postgres.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { anyIdTimestamp } from '../../domain/ids.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { JsonText } from '../../domain/json-text.ts';
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

/** The rows of one page (in the requested order) and whether more follow. */
async function pageRows<Row>(
  scoped: ScopedQuery,
  page: PageParams,
): Promise<{ rows: Row[]; hasMore: boolean }> {
  const ascending = page.order === 'asc';
  let query = scoped;
  if (page.after !== undefined) {
    query = query.where(
      compare(await resolveCursor(scoped, page.after, 'after'), ascending ? '>' : '<'),
    );
  }
  if (page.before !== undefined) {
    query = query.where(
      compare(await resolveCursor(scoped, page.before, 'before'), ascending ? '<' : '>'),
    );
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
  const kept = rows.slice(0, page.limit);
  if (backwards) kept.reverse();
  return { rows: kept, hasMore };
}

/** Runs `scoped` (a select of whole rows) as one page and maps each row with `toObject`. */
export async function paginate<Row, Item extends { id: string }>(
  scoped: ScopedQuery,
  page: PageParams,
  toObject: (row: Row) => Item,
): Promise<ListPage<Item>> {
  const { rows, hasMore } = await pageRows<Row>(scoped, page);
  return listPage(rows.map(toObject), hasMore);
}

/**
 * The same page as `paginate`, as the list envelope's JSON text, built from a column that already holds
 * each object's JSON: no parse and no re-serialization per item.
 */
export async function paginateJson(scoped: ScopedQuery, page: PageParams): Promise<JsonText> {
  const { rows, hasMore } = await pageRows<{ id: string; object: string }>(scoped, page);
  return envelope(rows, hasMore);
}

/** The list envelope around rows holding each object's JSON in `object`. */
function envelope(rows: Array<{ id: string; object: string }>, hasMore: boolean): JsonText {
  const data = rows.map((row) => row.object).join(',');
  return envelopeText(data, rows.length, rows[0]?.id, rows.at(-1)?.id, hasMore);
}

/** The envelope around `data`, the items' JSON joined by commas. */
function envelopeText(
  data: string,
  count: number,
  first: string | undefined,
  last: string | undefined,
  hasMore: boolean,
): JsonText {
  return new JsonText(
    `{"object":"list","data":[${data}],"first_id":${JSON.stringify(first ?? null)},"last_id":${JSON.stringify(last ?? null)},"has_more":${hasMore}}`,
    count,
  );
}

/**
 * A first page fetched with `limit + 1` rows in the requested order, each `[id, JSON]`, as the list
 * envelope's JSON.
 */
export function jsonPage(rows: ReadonlyArray<readonly [string, string]>, limit: number): JsonText {
  const count = Math.min(rows.length, limit);
  let data = '';
  for (let index = 0; index < count; index++)
    data += index === 0 ? rows[0]![1] : `,${rows[index]![1]}`;
  return envelopeText(data, count, rows[0]?.[0], rows[count - 1]?.[0], rows.length > limit);
}

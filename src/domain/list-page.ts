/** Cursor pagination as every Assistants list endpoint does it. */

export interface PageParams {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  before?: string;
}

export interface ListPage<Item> {
  object: 'list';
  data: Item[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** Builds the list envelope around one page of items. */
export function listPage<Item extends { id: string }>(
  data: Item[],
  hasMore: boolean,
): ListPage<Item> {
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: hasMore,
  };
}

/**
 * Fast paths of the hottest request shapes (a message posted, a thread's newest messages listed): each
 * takes only input its schema accepts and returns what the schema would, without running zod; any other
 * input returns undefined and the schema parses it, so every 400 is still the schema's. `fast-paths.test.ts`
 * holds each against its schema over valid and near-miss inputs.
 */
import type { IdKind } from '../../domain/ids.ts';
import type { FastPath } from '../../http/route.ts';
import { idPattern, LIST_LIMITS, type ListQuery } from './common.schemas.ts';
import { MESSAGE_TEXT_LIMIT, type MessageCreateParams } from './message.schemas.ts';

/** A plain object (as parsed JSON, a path or a query string gives it) with exactly `count` keys. */
export function objectWithKeys(value: unknown, count: number): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === count
  );
}

/** Path parameters that are all ids, e.g. `{ thread_id: 'thread' }` for `idSchema('thread')`. */
export function idPathFastPath<Shape extends Record<string, IdKind>>(
  shape: Shape,
): FastPath<{ [Key in keyof Shape]: string }> {
  const fields = Object.entries(shape).map(([name, kind]) => [name, idPattern(kind)] as const);
  return (value) => {
    if (!objectWithKeys(value, fields.length)) return undefined;
    const parsed: Record<string, string> = {};
    for (const [name, pattern] of fields) {
      const id = value[name];
      if (typeof id !== 'string' || !pattern.test(id)) return undefined;
      parsed[name] = id;
    }
    return parsed as { [Key in keyof Shape]: string };
  };
}

const LIMIT_TEXT = /^[1-9]\d{0,2}$/;

/** A first page's query (`listQuerySchema()` with `limit` and `order` at most; no cursor, no filter). */
export const listQueryFastPath: FastPath<ListQuery> = (value) => {
  if (typeof value !== 'object' || value === null) return undefined;
  let keys = 0;
  let limit: number = LIST_LIMITS.fallback;
  let order: ListQuery['order'] = 'desc';
  for (const key in value) {
    const text = (value as Record<string, unknown>)[key];
    if (typeof text !== 'string') return undefined;
    if (key === 'limit' && LIMIT_TEXT.test(text) && Number(text) <= LIST_LIMITS.maximum)
      limit = Number(text);
    else if (key === 'order' && (text === 'asc' || text === 'desc')) order = text;
    else return undefined;
    keys += 1;
  }
  return keys === Object.keys(value).length ? { limit, order } : undefined;
};

/** A message of text only: `{ role, content: '…' }` (no parts, attachments or metadata). */
export const createMessageFastPath: FastPath<MessageCreateParams> = (value) => {
  if (!objectWithKeys(value, 2)) return undefined;
  const { role, content } = value;
  if (role !== 'user' && role !== 'assistant') return undefined;
  if (typeof content !== 'string' || content.length === 0 || content.length > MESSAGE_TEXT_LIMIT)
    return undefined;
  return { role, content };
};

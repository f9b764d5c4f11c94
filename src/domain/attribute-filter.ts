/**
 * Attribute filters of `POST /vector_stores/{id}/search` and file_search: a comparison on one key, or
 * an and/or of filters. A comparison on a key the file does not have is false (so `ne` and `nin` only
 * match files that carry the key), as OpenAI evaluates them.
 */
import type { AttributeValue, FileAttributes } from './vector-store.ts';

export type ComparisonFilter = {
  type: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';
  key: string;
  value: AttributeValue | AttributeValue[];
};
export type CompoundFilter = { type: 'and' | 'or'; filters: AttributeFilter[] };
export type AttributeFilter = ComparisonFilter | CompoundFilter;

function compare(actual: AttributeValue, expected: AttributeValue): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  if (typeof actual === 'string' && typeof expected === 'string')
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  return undefined;
}

function matchesComparison(attributes: FileAttributes, filter: ComparisonFilter): boolean {
  if (!Object.hasOwn(attributes, filter.key)) return false;
  const actual = attributes[filter.key]!;
  const { value } = filter;
  switch (filter.type) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'in':
      return Array.isArray(value) ? value.includes(actual) : actual === value;
    case 'nin':
      return Array.isArray(value) ? !value.includes(actual) : actual !== value;
    default: {
      if (Array.isArray(value)) return false;
      const order = compare(actual, value);
      if (order === undefined) return false;
      if (filter.type === 'gt') return order > 0;
      if (filter.type === 'gte') return order >= 0;
      if (filter.type === 'lt') return order < 0;
      return order <= 0;
    }
  }
}

/** Whether a file with these attributes passes the filter. */
export function matchesFilter(attributes: FileAttributes, filter: AttributeFilter): boolean {
  if ('filters' in filter) {
    return filter.type === 'and'
      ? filter.filters.every((child) => matchesFilter(attributes, child))
      : filter.filters.some((child) => matchesFilter(attributes, child));
  }
  return matchesComparison(attributes, filter);
}

/**
 * The words of a search query as keyword terms: letters and digits only, lower-cased, de-duplicated.
 * Each dialect joins them into its own OR-query, so user text never reaches FTS5 or tsquery syntax.
 */
const MAX_TERMS = 64;

export function keywordTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].filter((word) => word.length <= 64).slice(0, MAX_TERMS);
}

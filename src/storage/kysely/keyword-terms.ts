/**
 * The words of a search query as keyword terms: letters and digits only, lower-cased, de-duplicated,
 * without English stop words. Each dialect joins them into its own OR-query, so user text never
 * reaches FTS5 or tsquery syntax.
 *
 * Stop words are dropped here because FTS5 keeps them: with "how", "do" or "I" in an OR-query nearly
 * every chunk matches, and the keyword list ranks noise. The list is PostgreSQL's `english` one
 * (`domain/english-stop-words.ts`), so both dialects match on the same words. A query made only of
 * stop words keeps them, so it still finds exact text on SQLite (Postgres drops them itself and
 * finds nothing).
 */
import { ENGLISH_STOP_WORDS } from '../../domain/english-stop-words.ts';

const MAX_TERMS = 64;

export function keywordTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words)].filter((word) => word.length <= 64);
  const meaningful = terms.filter((word) => !ENGLISH_STOP_WORDS.has(word));
  return (meaningful.length > 0 ? meaningful : terms).slice(0, MAX_TERMS);
}

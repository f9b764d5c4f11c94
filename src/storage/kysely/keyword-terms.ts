/**
 * The words of a search query as keyword terms: letters and digits only, lower-cased, de-duplicated,
 * without English stop words. Each dialect joins them into its own OR-query, so user text never
 * reaches FTS5 or tsquery syntax.
 *
 * Stop words are dropped here because FTS5 keeps them: with "how", "do" or "I" in an OR-query nearly
 * every chunk matches, and the keyword list ranks noise. The list is PostgreSQL's `english` one
 * (Snowball), so both dialects match on the same words. A query made only of stop words keeps them,
 * so it still finds exact text on SQLite (Postgres drops them itself and finds nothing).
 */
const MAX_TERMS = 64;

export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her ' +
    'hers herself it its itself they them their theirs themselves what which who whom this that these ' +
    'those am is are was were be been being have has had having do does did doing a an the and but if ' +
    'or because as until while of at by for with about against between into through during before ' +
    'after above below to from up down in out on off over under again further then once here there ' +
    'when where why how all any both each few more most other some such no nor not only own same so ' +
    'than too very s t can will just don should now'
  ).split(' '),
);

export function keywordTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words)].filter((word) => word.length <= 64);
  const meaningful = terms.filter((word) => !ENGLISH_STOP_WORDS.has(word));
  return (meaningful.length > 0 ? meaningful : terms).slice(0, MAX_TERMS);
}

/**
 * `rewrite_query`: OpenAI rewrites the query with a model; this server does it deterministically,
 * keeping the words that carry meaning (no question words, articles or auxiliaries), so the rewritten
 * query is reproducible and costs no model call.
 */
const STOP_WORDS = new Set(
  (
    'a an the and or but of to in on at by for with from about as into over after before is are was were be been being ' +
    'do does did doing have has had having i me my we our you your he she it its they them their this that these those ' +
    'what which who whom whose when where why how can could should would will shall may might must please tell show find ' +
    'give explain describe there here any some all each'
  ).split(' '),
);

export function rewriteQuery(query: string): string {
  const words = query.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? [];
  const kept = words.filter((word) => !STOP_WORDS.has(word.toLowerCase()));
  return (kept.length > 0 ? kept : words).join(' ').toLowerCase();
}

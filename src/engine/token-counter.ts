/**
 * Token estimates for truncation (o200k_base for every model: an estimate for non-OpenAI models;
 * provider-reported usage wins in what we report).
 */

export interface TokenCounter {
  count(text: string): number;
  /** Resolves once `count` is exact; the run loop awaits it before its first count. */
  ready?(): Promise<void>;
}

/** Characters of a run without white space that the tokenizer is given at once. */
export const MAX_RUN_CHARACTERS = 256;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN_CHARACTERS + 1},}`, 'g');

/**
 * Counts `text` with `countTokens`, giving it runs without white space at most
 * `MAX_RUN_CHARACTERS` long. The tokenizer's byte-pair merging is quadratic in the length of such a
 * run (a 40,000-character run costs seconds of CPU on the event loop), and a tool output, a file or
 * an input may hold one; counting a long run in slices changes the count only at the slices' seams.
 */
export function countInSlices(text: string, countTokens: (text: string) => number): number {
  let total = 0;
  let from = 0;
  for (const run of text.matchAll(LONG_RUN)) {
    if (run.index > from) total += countTokens(text.slice(from, run.index));
    for (let start = 0; start < run[0].length; start += MAX_RUN_CHARACTERS)
      total += countTokens(run[0].slice(start, start + MAX_RUN_CHARACTERS));
    from = run.index + run[0].length;
  }
  if (from < text.length) total += countTokens(from === 0 ? text : text.slice(from));
  return total;
}

/**
 * The o200k counter, loaded on first use: the encoding is about 66 MiB of memory and a second of CPU
 * to load, which start-up and idle memory should not pay for a server that may never run a model.
 * Until `ready()` has resolved, `count` answers the text's UTF-8 length, an upper bound of its
 * tokens (every token is at least one byte), so a fit made early errs on the safe side.
 */
export function lazyTokenCounter(): TokenCounter {
  let countTokens: ((text: string) => number) | undefined;
  let loading: Promise<void> | undefined;
  return {
    count(text) {
      if (text === '') return 0;
      return countTokens ? countInSlices(text, countTokens) : Buffer.byteLength(text);
    },
    ready() {
      loading ??= (async () => {
        countTokens = (await import('gpt-tokenizer/encoding/o200k_base')).countTokens;
      })();
      return loading;
    },
  };
}

/** The o200k counter, loaded now. */
export async function loadTokenCounter(): Promise<TokenCounter> {
  const counter = lazyTokenCounter();
  await counter.ready!();
  return counter;
}

/** Per-message framing tokens in chat formats (role markers, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/** What an image costs in prompt tokens, as OpenAI bills a 512-px tile (low) or a typical image (auto/high). */
export function imageTokens(detail: 'auto' | 'low' | 'high' | undefined): number {
  return detail === 'low' ? 85 : 765;
}

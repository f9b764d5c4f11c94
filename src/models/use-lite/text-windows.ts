/**
 * Cuts a text into windows of whole words that each fit a model's token window, overlapping, so that
 * every word is read whole by at least one window. Each window is a substring of the text (its
 * spacing kept), so it can be embedded, and cached, like any other text.
 */

export interface WindowShape {
  /** Tokens one window may hold. */
  windowTokens: number;
  /** Tokens from one window's start to the next one's (at most; windows start on a word). */
  strideTokens: number;
}

export function textWindows(
  text: string,
  countTokens: (word: string) => number,
  { windowTokens, strideTokens }: WindowShape,
): string[] {
  const words = [...text.matchAll(/\S+/g)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    tokens: countTokens(match[0]),
  }));
  const total = words.reduce((sum, word) => sum + word.tokens, 0);
  if (total <= windowTokens) return [text];
  const windows: string[] = [];
  for (let first = 0; ;) {
    let tokens = 0;
    let last = first;
    // A word longer than a window is a window alone (the model then reads what it can of it).
    while (last < words.length && (last === first || tokens + words[last]!.tokens <= windowTokens))
      tokens += words[last++]!.tokens;
    windows.push(text.slice(words[first]!.start, words[last - 1]!.end));
    if (last >= words.length) return windows;
    let skipped = 0;
    let next = first;
    while (next < last - 1 && skipped + words[next]!.tokens <= strideTokens)
      skipped += words[next++]!.tokens;
    first = Math.max(next, first + 1);
  }
}

/** Sentences of fewer words than this are read with the sentence that follows them. */
const MIN_SENTENCE_WORDS = 4;

/**
 * The sentences of a text (ending at `.`, `!` or `?` before a space, or at a blank line), each a
 * substring of the text; a fragment of fewer than four words joins the next sentence (the last one,
 * the one before). None for a text of one sentence: it is its own window already.
 */
export function sentenceWindows(text: string): string[] {
  const ranges: Array<[number, number]> = [];
  let from = 0;
  let open: number | undefined;
  let words = 0;
  const close = (to: number) => {
    const piece = text.slice(from, to);
    const count = piece.split(/\s+/u).filter(Boolean).length;
    if (count === 0) return;
    open ??= from;
    words += count;
    if (words >= MIN_SENTENCE_WORDS) {
      ranges.push([open, to]);
      open = undefined;
      words = 0;
    }
  };
  for (const match of text.matchAll(/(?<=[.!?]["'’”)\]]*)\s+|\n\s*\n/gu)) {
    close(match.index);
    from = match.index + match[0].length;
  }
  close(text.length);
  if (open !== undefined) {
    if (ranges.length > 0) ranges.at(-1)![1] = text.length;
    else ranges.push([open, text.length]);
  }
  return ranges.length > 1 ? ranges.map(([start, end]) => text.slice(start, end).trim()) : [];
}

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

import { describe, expect, it } from 'vitest';
import { sentenceWindows, textWindows } from './text-windows.ts';

/** One token per word, so windows are counted in words. */
const oneEach = () => 1;
const numbered = (count: number) => Array.from({ length: count }, (_, index) => `w${index}`);

describe('textWindows', () => {
  it('keeps a text that fits as its one window, spacing and all', () => {
    expect(textWindows('  short  text ', oneEach, { windowTokens: 4, strideTokens: 3 })).toEqual([
      '  short  text ',
    ]);
  });

  it('covers every word of a long text with overlapping windows of whole words', () => {
    const text = numbered(10).join(' ');
    const windows = textWindows(text, oneEach, { windowTokens: 4, strideTokens: 3 });
    expect(windows).toEqual(['w0 w1 w2 w3', 'w3 w4 w5 w6', 'w6 w7 w8 w9']);
  });

  it('counts tokens per word, so a window never holds more than the model reads', () => {
    const text = 'aaaa bb cccccc d eeeeeeee f';
    const windows = textWindows(text, (word) => word.length, { windowTokens: 10, strideTokens: 6 });
    for (const window of windows)
      expect(window.split(' ').reduce((sum, word) => sum + word.length, 0)).toBeLessThanOrEqual(10);
    expect(windows.join(' ')).toContain('eeeeeeee');
    expect(windows.at(-1)).toMatch(/f$/);
  });

  it('gives a word longer than a window a window of its own and moves on', () => {
    const windows = textWindows('a huuuuuuuge b', (word) => word.length, {
      windowTokens: 3,
      strideTokens: 2,
    });
    expect(windows).toEqual(['a', 'huuuuuuuge', 'b']);
  });
});

describe('sentenceWindows', () => {
  it('cuts a text into its sentences and paragraphs, as substrings', () => {
    const text =
      'Refunds take thirty days. Call us first, please!\n\nOpening hours are nine to five\ntoday only? Yes, every weekday here.';
    expect(sentenceWindows(text)).toEqual([
      'Refunds take thirty days.',
      'Call us first, please!',
      'Opening hours are nine to five\ntoday only?',
      'Yes, every weekday here.',
    ]);
  });

  it('joins a short fragment to the next sentence, or the last to the one before', () => {
    expect(
      sentenceWindows('See below. The office moves to Elm Road in May. It opens at nine. Thanks.'),
    ).toEqual(['See below. The office moves to Elm Road in May.', 'It opens at nine. Thanks.']);
  });

  it('gives none for a text of one sentence, which is its own window', () => {
    expect(sentenceWindows('Purchases may be returned within 30 days of delivery.')).toEqual([]);
    expect(sentenceWindows('Hi. There.')).toEqual([]);
  });
});

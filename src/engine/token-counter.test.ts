/**
 * The token counter gives the tokenizer no run without white space longer than MAX_RUN_CHARACTERS
 * (its merging is quadratic in a run's length: a hostile tool output or input of one long word
 * would hold the event loop for minutes), and counts ordinary text exactly as the tokenizer does.
 */
import { describe, expect, it } from 'vitest';
import { countInSlices, loadTokenCounter, MAX_RUN_CHARACTERS } from './token-counter.ts';

describe('the token counter', () => {
  it('never hands the tokenizer a long run at once, and covers every character', () => {
    const text = `start ${'x'.repeat(1_000_000)} middle ${'y'.repeat(MAX_RUN_CHARACTERS + 1)} end`;
    const pieces: string[] = [];
    const total = countInSlices(text, (piece) => {
      pieces.push(piece);
      return 1;
    });
    expect(pieces.join('')).toBe(text);
    expect(total).toBe(pieces.length);
    const longestRun = Math.max(
      ...pieces.flatMap((piece) => piece.split(/\s+/).map((run) => run.length)),
    );
    expect(longestRun).toBeLessThanOrEqual(MAX_RUN_CHARACTERS);
  });

  it('counts ordinary text as the tokenizer does, and a long run close to it', async () => {
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    const counter = await loadTokenCounter();
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
    expect(counter.count(prose)).toBe(countTokens(prose));
    const hash = 'a1b2c3d4e5'.repeat(100);
    expect(Math.abs(counter.count(hash) - countTokens(hash))).toBeLessThanOrEqual(4);
  });
});

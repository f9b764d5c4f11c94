import { describe, expect, it } from 'vitest';
import { createSentencePieceTokenizer } from './sentencepiece-tokenizer.ts';

const vocabulary: Array<[string, number]> = [
  ['<unk>', 0],
  ['<s>', 0],
  ['</s>', 0],
  ['x1', 0],
  ['x2', 0],
  ['x3', 0],
  ['▁the', -2],
  ['▁re', -4],
  ['fund', -4],
  ['▁refund', -5],
  ['▁', -3],
  ['s', -3],
];

describe('SentencePiece tokenizer', () => {
  const tokenizer = createSentencePieceTokenizer(vocabulary);

  it('picks the segmentation with the best total score', () => {
    // ▁refund (-5) beats ▁re + fund (-8).
    expect(tokenizer.encode('the refunds')).toEqual([6, 9, 11]);
  });

  it('normalises whitespace and maps uncovered characters to one unknown id', () => {
    expect(tokenizer.encode('  the\n\nrefund ')).toEqual([6, 9]);
    expect(tokenizer.encode('the ©®')).toEqual([6, 10, 0]);
    expect(tokenizer.encode('')).toEqual([]);
  });
});

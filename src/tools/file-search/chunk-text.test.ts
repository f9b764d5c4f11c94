import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { AUTO_CHUNKING } from '../../domain/vector-store.ts';
import { chunkText } from './chunk-text.ts';
import { DocumentError } from './parsers/document-error.ts';

const words = (count: number) =>
  Array.from({ length: count }, (_, index) => `word${index}`).join(' ');
const strategy = (max: number, overlap: number) => ({
  type: 'static' as const,
  static: { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap },
});

describe('chunkText', () => {
  it('cuts windows of at most max tokens that overlap by the given amount and cover the whole text', async () => {
    const text = words(500);
    const chunks = await chunkText(text, strategy(100, 20), 1_000_000);
    for (const chunk of chunks) expect(encode(chunk).length).toBeLessThanOrEqual(100);
    expect(chunks[0]!.startsWith('word0 ')).toBe(true);
    expect(chunks.at(-1)!.endsWith('word499')).toBe(true);
    // Consecutive chunks share their overlap: the start of the next appears at the end of the previous.
    const nextStart = chunks[1]!.split(' ').slice(0, 3).join(' ');
    expect(chunks[0]).toContain(nextStart);
    expect(chunks.length).toBe(Math.ceil((encode(text).length - 100) / 80) + 1);
  });

  it('keeps a short text in one chunk, and uses 800/400 for auto', async () => {
    expect(await chunkText('A short note.', AUTO_CHUNKING, 1_000_000)).toEqual(['A short note.']);
    const chunks = await chunkText(words(3000), AUTO_CHUNKING, 1_000_000);
    expect(chunks.every((chunk) => encode(chunk).length <= 800)).toBe(true);
  });

  it('never leaves a broken character at a window edge', async () => {
    const chunks = await chunkText('日本語のテキスト😀'.repeat(200), strategy(100, 30), 1_000_000);
    for (const chunk of chunks) expect(chunk).not.toMatch(/^\uFFFD|\uFFFD$/);
  });

  it('refuses a text over the per-file token limit', async () => {
    await expect(chunkText(words(2000), AUTO_CHUNKING, 1000)).rejects.toThrow(DocumentError);
    await expect(chunkText(words(2000), AUTO_CHUNKING, 1000)).rejects.toThrow(
      /at most 1000 tokens per file/,
    );
  });

  it('encodes a long text in segments, covering it exactly once, and lets other work run meanwhile', async () => {
    const text = Array.from({ length: 400 }, (_, line) => `Line ${line}: ${words(40)}`).join('\n');
    const order: string[] = [];
    setTimeout(() => order.push('other work'), 0);
    const chunks = await chunkText(text, strategy(800, 0), 1_000_000);
    order.push('chunking done');
    expect(order).toEqual(['other work', 'chunking done']);
    // Without overlap, the chunks are the text cut in pieces (whitespace at the cuts is trimmed).
    expect(chunks.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    expect(chunks.length).toBe(Math.ceil(encode(text).length / 800));
  });
});

describe('chunkText chunk cap', () => {
  it('refuses a file that would make more chunks than the cap, naming the cap', async () => {
    const text = words(2000);
    const allowed = await chunkText(text, strategy(100, 50), 1_000_000);
    expect(await chunkText(text, strategy(100, 50), 1_000_000, allowed.length)).toEqual(allowed);
    const error = await chunkText(text, strategy(100, 50), 1_000_000, allowed.length - 1).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as Error).message).toMatch(
      new RegExp(`make ${allowed.length} chunks .* limit of ${allowed.length - 1} chunks per file`),
    );
  });
});

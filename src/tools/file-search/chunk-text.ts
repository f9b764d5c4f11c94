/**
 * Token-based chunking with gpt-tokenizer's o200k encoding: windows of `max_chunk_size_tokens` that
 * start every `max - overlap` tokens, as OpenAI's static strategy describes.
 *
 * Encoding a large document takes seconds of CPU, and ingestion shares the thread with the API, so the
 * text is encoded in segments cut at line breaks and the work yields to the event loop between
 * segments and between batches of windows. It also stops as soon as the file passes the token limit,
 * and refuses a file that would make more than `maxChunks` chunks before decoding any of them.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import { DocumentError } from './parsers/document-error.ts';

const SEGMENT_CHARACTERS = 32_768;
const WINDOWS_PER_SLICE = 64;

/** Removes replacement characters left where a window boundary split a multi-byte character. */
function trimBrokenCharacters(text: string): string {
  return text.replace(/^\uFFFD+|\uFFFD+$/g, '');
}

/** Where the segment starting at `start` ends: after the last line break (else space) before the size limit. */
function segmentEnd(text: string, start: number): number {
  const limit = start + SEGMENT_CHARACTERS;
  if (limit >= text.length) return text.length;
  const lineBreak = text.lastIndexOf('\n', limit);
  if (lineBreak > start) return lineBreak + 1;
  const space = text.lastIndexOf(' ', limit);
  return space > start ? space + 1 : limit;
}

async function encodeInSegments(text: string, maxTokens: number): Promise<number[]> {
  const tokens: number[] = [];
  for (let start = 0; start < text.length;) {
    const end = segmentEnd(text, start);
    for (const token of encode(text.slice(start, end))) tokens.push(token);
    if (tokens.length > maxTokens) {
      throw new DocumentError(
        'invalid_file',
        `The file has more than ${maxTokens} tokens; file search accepts at most ${maxTokens} tokens per file.`,
      );
    }
    start = end;
    if (start < text.length) await yieldToEventLoop();
  }
  return tokens;
}

export async function chunkText(
  text: string,
  strategy: StaticChunkingStrategy,
  maxTokens: number,
  maxChunks = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  const { max_chunk_size_tokens: size, chunk_overlap_tokens: overlap } = strategy.static;
  const tokens = await encodeInSegments(text, maxTokens);
  const stride = Math.max(1, size - overlap);
  const windows = tokens.length <= size ? 1 : Math.ceil((tokens.length - size) / stride) + 1;
  if (windows > maxChunks) {
    throw new DocumentError(
      'invalid_file',
      `The file is refused: its ${tokens.length} tokens make ${windows} chunks of ${size} tokens overlapping by ${overlap}, more than the limit of ${maxChunks} chunks per file.`,
    );
  }
  const chunks: string[] = [];
  for (let start = 0, window = 0; start < tokens.length; start += stride, window++) {
    const chunk = trimBrokenCharacters(decode(tokens.slice(start, start + size))).trim();
    if (chunk !== '') chunks.push(chunk);
    if (start + size >= tokens.length) break;
    if (window % WINDOWS_PER_SLICE === WINDOWS_PER_SLICE - 1) await yieldToEventLoop();
  }
  return chunks;
}

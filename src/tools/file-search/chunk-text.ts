/**
 * Token-based chunking with gpt-tokenizer's o200k encoding: windows of `max_chunk_size_tokens` that
 * start every `max - overlap` tokens, as OpenAI's static strategy describes. Text is encoded once.
 */
import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import { DocumentError } from './parsers/document-error.ts';

/** Removes replacement characters left where a window boundary split a multi-byte character. */
function trimBrokenCharacters(text: string): string {
  return text.replace(/^\uFFFD+|\uFFFD+$/g, '');
}

export function chunkText(text: string, strategy: StaticChunkingStrategy, maxTokens: number): string[] {
  const { max_chunk_size_tokens: size, chunk_overlap_tokens: overlap } = strategy.static;
  const tokens = encode(text);
  if (tokens.length > maxTokens) {
    throw new DocumentError('invalid_file', `The file has ${tokens.length} tokens; file search accepts at most ${maxTokens} tokens per file.`);
  }
  const stride = Math.max(1, size - overlap);
  const chunks: string[] = [];
  for (let start = 0; start < tokens.length; start += stride) {
    const chunk = trimBrokenCharacters(decode(tokens.slice(start, start + size))).trim();
    if (chunk !== '') chunks.push(chunk);
    if (start + size >= tokens.length) break;
  }
  return chunks;
}

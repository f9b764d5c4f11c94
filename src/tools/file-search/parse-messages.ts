/** The messages between `document-parser.ts` (main thread) and `parse-worker.ts` (a parse worker). */
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import type { ParseLimits } from './parsers/parse-document.ts';

export interface ParseRequest {
  id: number;
  bytes: Uint8Array;
  filename: string;
  contentType: string;
  limits: ParseLimits;
  /** When present, the worker also chunks the text and answers with the chunks instead. */
  chunking?: { strategy: StaticChunkingStrategy; maxTokens: number; maxChunks: number };
}

/** Sent by the worker when a file's parser is loaded and its parse begins. */
export interface ParseStarted {
  id: number;
  started: true;
}

export type ParseResponse =
  | { id: number; text: string }
  | { id: number; chunks: string[] }
  | { id: number; documentError: { code: 'unsupported_file' | 'invalid_file'; message: string } }
  | { id: number; failure: string };

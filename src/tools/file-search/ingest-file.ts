/**
 * The work of one ingestion job: read the file's bytes, parse, chunk and embed. Pure with respect to
 * the database: the worker writes the result. Failures that belong to the file are `DocumentError`s.
 */
import { buffer } from 'node:stream/consumers';
import type { BlobStore } from '../../blobs/blob-store.ts';
import { nowSeconds } from '../../domain/clock.ts';
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import type { ChunkInput, Store } from '../../storage/store.ts';
import type { Embedder } from './cached-embedder.ts';
import { chunkText } from './chunk-text.ts';
import { DocumentError } from './parsers/document-error.ts';
import { parseDocument } from './parsers/parse-document.ts';

export interface IngestOptions {
  store: Store;
  blobs: BlobStore;
  embedder?: Embedder | undefined;
  /** OpenAI's per-file limit is 5,000,000 tokens. */
  maxTokensPerFile: number;
}

/** Characters allowed before the token count is known: generous, but bounded. */
export function maxCharactersFor(maxTokensPerFile: number): number {
  return maxTokensPerFile * 8;
}

/** The file's text as parsed for file search, or a `DocumentError` saying why there is none. */
export async function readDocumentText(
  options: Pick<IngestOptions, 'store' | 'blobs' | 'maxTokensPerFile'>,
  projectId: string,
  fileId: string,
): Promise<string> {
  const stored = await options.store.files.find(projectId, fileId, nowSeconds());
  const stream = stored && (await options.blobs.get(fileId));
  if (!stored || !stream)
    throw new DocumentError('invalid_file', `The file ${fileId} was deleted or has expired.`);
  const bytes = await buffer(stream);
  return parseDocument(bytes, stored.file.filename, stored.contentType, {
    maxCharacters: maxCharactersFor(options.maxTokensPerFile),
  });
}

export async function ingestFile(
  options: IngestOptions,
  job: { projectId: string; fileId: string; chunkingStrategy: StaticChunkingStrategy },
  signal: AbortSignal,
): Promise<{ chunks: ChunkInput[]; usageBytes: number }> {
  const text = await readDocumentText(options, job.projectId, job.fileId);
  signal.throwIfAborted();
  const texts = await chunkText(text, job.chunkingStrategy, options.maxTokensPerFile);
  if (texts.length === 0)
    throw new DocumentError('invalid_file', `No text could be extracted from ${job.fileId}.`);
  const embeddings = options.embedder ? await options.embedder.embed(texts, { signal }) : undefined;
  const chunks = texts.map((chunk, index) =>
    embeddings ? { text: chunk, embedding: embeddings[index]! } : { text: chunk },
  );
  const usageBytes = chunks.reduce(
    (sum, chunk) => sum + Buffer.byteLength(chunk.text) + (chunk.embedding?.byteLength ?? 0),
    0,
  );
  return { chunks, usageBytes };
}

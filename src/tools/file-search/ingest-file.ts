/**
 * The work of one ingestion job: read the file's bytes, parse and chunk them in a parse worker, and
 * embed. Pure with respect to the database: the worker writes the result. Failures that belong to the
 * file are `DocumentError`s.
 */
import { buffer } from 'node:stream/consumers';
import type { BlobStore } from '../../blobs/blob-store.ts';
import { contentMissing } from '../../blobs/lost-bytes.ts';
import { nowSeconds } from '../../domain/clock.ts';
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import type { ChunkInput, Store } from '../../storage/store.ts';
import type { Embedder } from './cached-embedder.ts';
import type { DocumentInput, DocumentParser } from './document-parser.ts';
import { DocumentError } from './parsers/document-error.ts';

export interface IngestOptions {
  store: Store;
  blobs: BlobStore;
  parser: DocumentParser;
  embedder?: Embedder | undefined;
  /** OpenAI's per-file limit is 5,000,000 tokens. */
  maxTokensPerFile: number;
}

async function readDocument(
  options: Pick<IngestOptions, 'store' | 'blobs'>,
  projectId: string,
  fileId: string,
): Promise<DocumentInput> {
  const stored = await options.store.files.find(projectId, fileId, nowSeconds());
  const stream = stored && (await options.blobs.get(fileId));
  if (!stored)
    throw new DocumentError('invalid_file', `The file ${fileId} was deleted or has expired.`);
  // Bytes the blob store lost: the 404 of `GET /v1/files/{id}/content`; a vector-store file fails.
  if (!stream) throw contentMissing('file', fileId, 'file_id');
  return {
    bytes: await buffer(stream),
    filename: stored.file.filename,
    contentType: stored.contentType,
  };
}

/** The file's text as parsed for file search, or a `DocumentError` saying why there is none. */
export async function readDocumentText(
  options: Pick<IngestOptions, 'store' | 'blobs' | 'parser'>,
  projectId: string,
  fileId: string,
): Promise<string> {
  return options.parser.text(await readDocument(options, projectId, fileId));
}

export async function ingestFile(
  options: IngestOptions,
  job: { projectId: string; fileId: string; chunkingStrategy: StaticChunkingStrategy },
  signal: AbortSignal,
): Promise<{ chunks: ChunkInput[]; usageBytes: number }> {
  const document = await readDocument(options, job.projectId, job.fileId);
  signal.throwIfAborted();
  const texts = await options.parser.chunks(
    document,
    { strategy: job.chunkingStrategy, maxTokens: options.maxTokensPerFile },
    signal,
  );
  if (texts.length === 0)
    throw new DocumentError('invalid_file', `No text could be extracted from ${job.fileId}.`);
  // One vector per window the model reads: a chunk is then found by its best window.
  const embeddings = options.embedder
    ? await options.embedder.embedWindows(texts, { signal })
    : undefined;
  const chunks = texts.map((chunk, index) =>
    embeddings ? { text: chunk, embeddings: embeddings[index]! } : { text: chunk },
  );
  return { chunks, usageBytes: usageBytesOf(chunks) };
}

/** What a file's chunks take: their text and their vectors. */
export function usageBytesOf(chunks: ChunkInput[]): number {
  return chunks.reduce(
    (sum, chunk) =>
      sum +
      Buffer.byteLength(chunk.text) +
      (chunk.embeddings ?? []).reduce((bytes, vector) => bytes + vector.byteLength, 0),
    0,
  );
}

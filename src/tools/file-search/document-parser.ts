/**
 * Parsing and chunking outside the API's event loop: each file goes to a worker thread with a capped
 * heap (`memoryMb`) and a wall-clock timeout. A worker that runs out of memory, times out, crashes or
 * is aborted is terminated and replaced; the file then fails with a `DocumentError` naming the cap it
 * hit. Healthy workers are kept (unreferenced) for the next file, so the ~0.5 s start-up is paid rarely.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../../config/config-schema.ts';
import type { StaticChunkingStrategy } from '../../domain/vector-store.ts';
import type { ParseRequest, ParseResponse, ParseStarted } from './parse-messages.ts';
import { DocumentError } from './parsers/document-error.ts';
import type { ParseLimits } from './parsers/parse-document.ts';

export interface DocumentParserOptions {
  limits: ParseLimits;
  /** Heap (old generation) one parse worker may use, in MB. */
  memoryMb: number;
  /** Wall-clock time one file's parse (and chunking) may take. */
  timeoutMilliseconds: number;
  /** Most chunks one file may make. */
  maxChunksPerFile: number;
  /** Idle workers kept for the next files. */
  maxIdleWorkers?: number;
  /** Workers alive at once; more parses wait their turn (their time cap starts with their turn). */
  maxWorkers?: number;
}

export interface DocumentInput {
  bytes: Uint8Array;
  filename: string;
  contentType: string;
}

export interface DocumentParser {
  /** The file's text, or a `DocumentError` saying why there is none. */
  text(input: DocumentInput, signal?: AbortSignal): Promise<string>;
  /** The file's text cut into chunks (at most `maxTokens` tokens in all), or a `DocumentError`. */
  chunks(
    input: DocumentInput,
    chunking: { strategy: StaticChunkingStrategy; maxTokens: number },
    signal?: AbortSignal,
  ): Promise<string[]>;
  /** Stops every worker; parses in flight fail. */
  close(): Promise<void>;
}

/** The least time a worker may take to load a format's parser before a file's own time starts. */
const PARSER_LOAD_LIMIT_MS = 60_000;

function unwrap(response: ParseResponse): string | string[] {
  if ('documentError' in response)
    throw new DocumentError(response.documentError.code, response.documentError.message);
  if ('failure' in response) throw new Error(`Parsing failed: ${response.failure}`);
  return 'text' in response ? response.text : response.chunks;
}

/** The parser's caps as configured (`CONCIERGE_FILE_PARSE_*`, `CONCIERGE_FILE_SEARCH_MAX_*`). */
export function documentParserOptions(
  config: Pick<
    Config,
    | 'fileSearchMaxCharactersPerFile'
    | 'fileSearchMaxTokensPerFile'
    | 'fileSearchMaxChunksPerFile'
    | 'fileParseMemoryMb'
    | 'fileParseTimeoutSeconds'
    | 'fileParseMaxPdfPages'
    | 'fileParseMaxUncompressedBytes'
    | 'fileParseMaxZipEntries'
    | 'ingestionConcurrency'
  >,
): DocumentParserOptions {
  return {
    limits: {
      // A token averages far fewer than 8 characters: text longer than 8 × the token limit would
      // not fit anyway, so reading stops there too.
      maxCharacters: Math.min(
        config.fileSearchMaxCharactersPerFile,
        config.fileSearchMaxTokensPerFile * 8,
      ),
      maxPdfPages: config.fileParseMaxPdfPages,
      maxZipUncompressedBytes: config.fileParseMaxUncompressedBytes,
      maxZipEntries: config.fileParseMaxZipEntries,
    },
    memoryMb: config.fileParseMemoryMb,
    timeoutMilliseconds: config.fileParseTimeoutSeconds * 1000,
    maxChunksPerFile: config.fileSearchMaxChunksPerFile,
    maxIdleWorkers: config.ingestionConcurrency,
    // One more than ingestion uses, so reading a file's content is not stuck behind it.
    maxWorkers: config.ingestionConcurrency + 1,
  };
}

export function createDocumentParser(options: DocumentParserOptions): DocumentParser {
  const maxIdleWorkers = options.maxIdleWorkers ?? 2;
  const maxWorkers = Math.max(1, options.maxWorkers ?? maxIdleWorkers + 1);
  const idle: Worker[] = [];
  const busy = new Set<Worker>();
  let waiting: Array<() => void> = [];
  let nextId = 1;
  let closed = false;

  /** A new worker, resolved once it has loaded (or rejected when it dies first). */
  function spawn(): Promise<Worker> {
    const worker = new Worker(new URL('./parse-worker-entry.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    });
    busy.add(worker);
    // An idle worker that dies on its own is simply forgotten.
    worker.on('error', () => {});
    worker.once('exit', () => {
      // A worker that died while starting frees its place for the next parse waiting.
      if (busy.delete(worker)) waiting.shift()?.();
      const index = idle.indexOf(worker);
      if (index >= 0) idle.splice(index, 1);
    });
    return new Promise<Worker>((resolve, reject) => {
      const onReady = () => {
        worker.off('exit', onExit);
        resolve(worker);
      };
      const onExit = (code: number) => {
        worker.off('message', onReady);
        reject(new Error(`The parse worker stopped while starting (exit code ${code}).`));
      };
      worker.once('message', onReady);
      worker.once('exit', onExit);
    });
  }

  async function acquire(): Promise<Worker> {
    // Wait for a place; `release` and `close` wake the waiters (in another turn of the loop).
    for (;;) {
      if (closed) throw new Error('The document parser is closed.');
      if (busy.size < maxWorkers) break;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    const reused = idle.pop();
    if (reused) {
      reused.ref();
      busy.add(reused);
      return reused;
    }
    return spawn();
  }

  function release(worker: Worker, healthy: boolean): void {
    busy.delete(worker);
    if (healthy && !closed && idle.length < maxIdleWorkers) {
      worker.unref();
      idle.push(worker);
    } else void worker.terminate();
    waiting.shift()?.();
  }

  async function send(
    input: DocumentInput,
    chunking: ParseRequest['chunking'],
    signal: AbortSignal | undefined,
  ): Promise<ParseResponse> {
    if (closed) throw new Error('The document parser is closed.');
    signal?.throwIfAborted();
    const worker = await acquire();
    if (signal?.aborted) {
      release(worker, true);
      signal.throwIfAborted();
    }
    const id = nextId++;
    // A copy: transferring would detach the caller's buffer (possibly Node's shared pool).
    const bytes = new Uint8Array(input.bytes);
    return new Promise<ParseResponse>((resolve, reject) => {
      const finish = (outcome: { response: ParseResponse } | { error: Error }) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        release(worker, 'response' in outcome);
        if ('response' in outcome) resolve(outcome.response);
        else reject(outcome.error);
      };
      const onMessage = (response: ParseResponse | ParseStarted) => {
        if (response.id !== id) return;
        if ('started' in response) {
          // The parser is loaded: the file's own time starts now.
          clearTimeout(timer);
          timer = setTimeout(tooLong, options.timeoutMilliseconds);
        } else finish({ response });
      };
      const onError = (error: Error & { code?: string }) => {
        finish({
          error:
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new DocumentError(
                  'invalid_file',
                  `The file ${input.filename} is refused: parsing it needed more than the limit of ${options.memoryMb} MB of memory per file.`,
                )
              : new Error(`The parse worker failed: ${error.message}`, { cause: error }),
        });
      };
      const onExit = (code: number) =>
        finish({ error: new Error(`The parse worker stopped (exit code ${code}).`) });
      const onAbort = () =>
        finish({ error: signal?.reason instanceof Error ? signal.reason : new Error('Aborted.') });
      const tooLong = () =>
        finish({
          error: new DocumentError(
            'invalid_file',
            `The file ${input.filename} is refused: parsing it took longer than the limit of ${options.timeoutMilliseconds / 1000} s per file.`,
          ),
        });
      // Loading a format's parser (pdf.js, mammoth: on a worker's first file of that format) is the
      // server's time, not the file's: it has a limit of its own, and is not the file's fault.
      const loadLimit = Math.max(PARSER_LOAD_LIMIT_MS, options.timeoutMilliseconds);
      let timer = setTimeout(
        () =>
          finish({
            error: new Error(
              `The parse worker did not start parsing ${input.filename} within ${loadLimit / 1000} s.`,
            ),
          }),
        loadLimit,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      const request: ParseRequest = {
        id,
        bytes,
        filename: input.filename,
        contentType: input.contentType,
        limits: options.limits,
        ...(chunking ? { chunking } : {}),
      };
      // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a browser window
      worker.postMessage(request, [bytes.buffer]);
    });
  }

  return {
    async text(input, signal) {
      return unwrap(await send(input, undefined, signal)) as string;
    },
    async chunks(input, chunking, signal) {
      const response = await send(
        input,
        { ...chunking, maxChunks: options.maxChunksPerFile },
        signal,
      );
      return unwrap(response) as string[];
    },
    async close() {
      closed = true;
      for (const wake of waiting) wake();
      waiting = [];
      const workers = new Set([...idle, ...busy]);
      idle.length = 0;
      await Promise.all([...workers].map((worker) => worker.terminate()));
    },
  };
}

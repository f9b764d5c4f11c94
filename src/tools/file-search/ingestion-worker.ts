/**
 * The ingestion worker: `concurrency` loops that each claim a vector store file, renew its lease while
 * working, and finish it with a conditional write. A crash loses nothing: the row stays `in_progress`
 * and another worker takes it over when the lease lapses. A file that keeps killing its workers is
 * failed after `maxAttempts` claims instead of looping forever. No error escapes a loop.
 *
 * A file that cannot be indexed because the file storage or the database is unavailable (an
 * `UnavailableError`) is given back to be retried later, with a delay that grows with how long it has
 * been waiting, and fails only once it has waited `unavailableRetry.giveUpMilliseconds` since it was
 * added: an outage delays indexing instead of failing every file added meanwhile.
 *
 * Each claim holds its lease under an owner of its own (the worker's id and the claim's number): when
 * a loop's lease lapses (a renewal answered late) and another loop of the same worker claims the file,
 * the first loop's renewals, completion or failure no longer match, so one file is worked on once.
 *
 * With no file to index, a loop re-embeds a completed file whose vectors are another model's than the
 * configured embedder's (the model was switched), under the same kind of lease, keeping the old vectors;
 * a store switches to the new vectors, and drops the old, once all its files have them.
 */
import { randomBytes } from 'node:crypto';
import type { BlobStore } from '../../blobs/blob-store.ts';
import { NotFoundError, UnavailableError } from '../../domain/errors.ts';
import type { VectorStoreFileError } from '../../domain/vector-store.ts';
import { EmbeddingError } from '../../models/embedding-model.ts';
import type { IngestionJob, ReembedJob, Store } from '../../storage/store.ts';
import type { Embedder } from './cached-embedder.ts';
import type { DocumentParser } from './document-parser.ts';
import { ingestFile, usageBytesOf } from './ingest-file.ts';
import { DocumentError } from './parsers/document-error.ts';
import { Concierge } from '../../telemetry/gen-ai-attributes.ts';
import { recordFailure, ROOT_CONTEXT, withSpan, type Span } from '../../telemetry/tracer.ts';

export interface IngestionWorkerOptions {
  store: Store;
  blobs: BlobStore;
  /** Parses and chunks files off the event loop, within the configured caps. */
  parser: DocumentParser;
  embedder?: Embedder | undefined;
  concurrency: number;
  leaseMilliseconds: number;
  /** How long an idle loop sleeps before looking again (other nodes' work, lapsed leases). */
  pollMilliseconds?: number;
  maxTokensPerFile: number;
  /** Claims of one job before it fails (a file whose parse keeps killing the process); default 3. */
  maxAttempts?: number;
  /**
   * Retrying a file while a dependency is unavailable: the delay is half the time since the file was
   * added, within `minMilliseconds` (default 1 s) and `maxMilliseconds` (default 60 s), until it has
   * waited `giveUpMilliseconds` (default one hour), when it fails with `server_error`.
   */
  unavailableRetry?: {
    minMilliseconds?: number;
    maxMilliseconds?: number;
    giveUpMilliseconds?: number;
  };
  log: {
    error(object: unknown, message: string): void;
    warn(object: unknown, message: string): void;
  };
}

export interface IngestionWorker {
  start(): void;
  /** Wakes idle loops now (new work was queued in this process). */
  wake(): void;
  /** Stops claiming, aborts work in flight and gives its jobs back; resolves when every loop ended. */
  stop(): Promise<void>;
}

/** What an `UnavailableError`'s code says was down, for the log and a file's `last_error`. */
function unavailableDependency(error: UnavailableError): string {
  if (error.code === 'storage_unavailable') return 'the file storage';
  if (error.code === 'database_unavailable') return 'the database';
  return 'a service it needs';
}

function errorFor(error: unknown, giveUpMilliseconds: number): VectorStoreFileError {
  if (error instanceof DocumentError) return { code: error.code, message: error.message };
  if (error instanceof NotFoundError && error.code === 'file_content_missing')
    return { code: 'invalid_file', message: error.message };
  if (error instanceof UnavailableError)
    return {
      code: 'server_error',
      message: `The file could not be indexed: ${unavailableDependency(error)} stayed unavailable for ${Math.round(giveUpMilliseconds / 60_000)} minutes after the file was added; add it to the vector store again to retry.`,
    };
  if (error instanceof EmbeddingError) return { code: 'server_error', message: error.message };
  return {
    code: 'server_error',
    message: 'The file could not be indexed because of an internal error.',
  };
}

export function createIngestionWorker(options: IngestionWorkerOptions): IngestionWorker {
  const { store } = options;
  const worker = `ingest-${process.pid}-${randomBytes(4).toString('hex')}`;
  let claims = 0;
  /** The lease owner of the next claim: never shared by two loops, nor by two claims of one loop. */
  const claimOwner = () => `${worker}-${++claims}`;
  const pollMilliseconds = options.pollMilliseconds ?? 1000;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryMinimum = options.unavailableRetry?.minMilliseconds ?? 1000;
  const retryMaximum = options.unavailableRetry?.maxMilliseconds ?? 60_000;
  const giveUpMilliseconds = options.unavailableRetry?.giveUpMilliseconds ?? 3_600_000;
  const stopping = new AbortController();
  let wakeSleepers: Array<() => void> = [];
  let loops: Promise<void>[] = [];
  /** A file was indexed or re-embedded since stores were last switched (and at start). */
  let switchPending = true;

  function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeSleepers = wakeSleepers.filter((sleeper) => sleeper !== done);
        resolve();
      };
      const timer = setTimeout(done, milliseconds);
      wakeSleepers.push(done);
    });
  }

  /** One claim of a job, as an `ingest_file` span (a trace of its own: no request waits on it). */
  function run(job: IngestionJob, owner: string): Promise<void> {
    return withSpan(
      'ingest_file',
      {
        parent: ROOT_CONTEXT,
        attributes: {
          [Concierge.projectId]: job.projectId,
          [Concierge.vectorStoreId]: job.vectorStoreId,
          [Concierge.fileId]: job.fileId,
          [Concierge.ingestionAttempt]: job.attempts,
        },
      },
      (span) => runJob(job, owner, span),
    );
  }

  /**
   * Holds a job's lease while it is worked on: renewed every third of its length, and the work
   * aborted when the worker stops or a renewal finds the lease gone. `release` stops both.
   */
  function holdLease(
    renew: (until: number) => Promise<boolean>,
    lost: string,
    what: string,
  ): { work: AbortController; release(): void } {
    const work = new AbortController();
    const abortOnStop = () => work.abort(stopping.signal.reason);
    stopping.signal.addEventListener('abort', abortOnStop, { once: true });
    const heartbeat = setInterval(
      () => {
        renew(Date.now() + options.leaseMilliseconds)
          .then((stillOurs) => {
            if (!stillOurs) work.abort(new Error(lost));
            return stillOurs;
          })
          .catch((error: unknown) =>
            options.log.warn({ err: error }, `renewing ${what} lease failed`),
          );
      },
      Math.max(50, Math.floor(options.leaseMilliseconds / 3)),
    );
    return {
      work,
      release() {
        clearInterval(heartbeat);
        stopping.signal.removeEventListener('abort', abortOnStop);
      },
    };
  }

  /**
   * Gives back a job that met an outage, to be retried after a delay; false once the file has waited
   * too long (it is then failed). A job that cannot be given back either (the database is down) keeps
   * its lease, which lapses: it is retried then, that claim counted as an attempt.
   */
  async function retryLater(
    job: IngestionJob,
    owner: string,
    error: UnavailableError,
  ): Promise<boolean> {
    const waited = Date.now() - job.addedAt * 1000;
    if (waited >= giveUpMilliseconds) return false;
    const delay = Math.round(Math.min(retryMaximum, Math.max(retryMinimum, waited / 2)));
    options.log.warn(
      { err: error, fileId: job.fileId, retryInMilliseconds: delay },
      `indexing a file waits for ${unavailableDependency(error)}, which is unavailable`,
    );
    await store.ingestionQueue
      .postpone(job, owner, Date.now() + delay)
      .catch((failure: unknown) =>
        options.log.warn(
          { err: failure, fileId: job.fileId },
          'giving back an ingestion job failed; its lease will lapse and it will be retried',
        ),
      );
    return true;
  }

  async function runJob(job: IngestionJob, owner: string, span: Span): Promise<void> {
    const { work, release } = holdLease(
      (until) => store.ingestionQueue.renewLease(job, owner, until),
      'The job was cancelled, removed or taken over.',
      'an ingestion',
    );
    try {
      if (job.attempts > maxAttempts) {
        span.setAttribute(Concierge.ingestionOutcome, 'failed');
        await store.ingestionQueue.fail(job, owner, {
          code: 'server_error',
          message: `Indexing was interrupted ${maxAttempts} times (the worker crashed or its lease lapsed), the limit of attempts per file; giving up on this file.`,
        });
        return;
      }
      const result = await ingestFile(options, job, work.signal);
      work.signal.throwIfAborted();
      span.setAttribute(Concierge.ingestionChunks, result.chunks.length);
      span.setAttribute(Concierge.ingestionOutcome, 'completed');
      await store.transaction(async (transaction) => {
        const completed = await transaction.ingestionQueue.complete(
          job,
          owner,
          result.usageBytes,
          options.embedder?.model ?? null,
        );
        if (!completed) return;
        await transaction.chunks.replaceForFile(
          job.vectorStoreId,
          job.fileId,
          result.chunks,
          options.embedder?.model,
        );
      });
    } catch (error) {
      span.setAttribute(Concierge.ingestionOutcome, work.signal.aborted ? 'released' : 'failed');
      if (!work.signal.aborted) recordFailure(span, error);
      if (work.signal.aborted) {
        if (stopping.signal.aborted) await store.ingestionQueue.release(job, owner).catch(() => {});
        return;
      }
      if (error instanceof UnavailableError && (await retryLater(job, owner, error))) {
        span.setAttribute(Concierge.ingestionOutcome, 'postponed');
        return;
      }
      if (!(error instanceof DocumentError) && !(error instanceof NotFoundError))
        options.log.error({ err: error, fileId: job.fileId }, 'indexing a file failed');
      await store.ingestionQueue
        .fail(job, owner, errorFor(error, giveUpMilliseconds))
        .catch((failure: unknown) => {
          options.log.error(
            { err: failure, fileId: job.fileId },
            'recording a failed file failed; its lease will lapse and it will be retried',
          );
        });
    } finally {
      release();
    }
  }

  /** Embeds the file's chunks with the configured model beside the vectors they have. */
  async function reembed(job: ReembedJob, owner: string, embedder: Embedder): Promise<void> {
    const { work, release } = holdLease(
      (until) => store.ingestionQueue.renewReembed(job, owner, until),
      'The file was removed, re-added or taken over.',
      'a re-embedding',
    );
    try {
      const chunks = await store.chunks.listForFile(job.vectorStoreId, job.fileId);
      const embeddings = await embedder.embedWindows(
        chunks.map((chunk) => chunk.text),
        { signal: work.signal },
      );
      work.signal.throwIfAborted();
      const embedded = chunks.map((chunk, index) => ({
        id: chunk.id,
        text: chunk.text,
        embeddings: embeddings[index]!,
      }));
      await store.transaction(async (transaction) => {
        const usage = usageBytesOf(embedded);
        if (!(await transaction.ingestionQueue.completeReembed(job, owner, embedder.model, usage)))
          return;
        await transaction.chunks.replaceEmbeddings(
          job.vectorStoreId,
          job.fileId,
          embedder.model,
          embedded,
        );
      });
      switchPending = true;
    } catch (error) {
      if (stopping.signal.aborted) {
        await store.ingestionQueue.releaseReembed(job, owner).catch(() => {});
        return;
      }
      // The lease is left to lapse, so the file is tried again then (the embedder may be back).
      if (!work.signal.aborted)
        options.log.error({ err: error, fileId: job.fileId }, 're-embedding a file failed');
    } finally {
      release();
    }
  }

  /** Next work for an idle loop: a file to re-embed, or stores whose re-embedding is complete. */
  async function reembedNext(embedder: Embedder): Promise<boolean> {
    const owner = claimOwner();
    const job = await store.ingestionQueue.claimReembed(
      owner,
      embedder.model,
      Date.now(),
      Date.now() + options.leaseMilliseconds,
    );
    if (job) {
      await reembed(job, owner, embedder);
      return true;
    }
    if (switchPending) {
      switchPending = false;
      await store.ingestionQueue.switchStores(embedder.model);
    }
    return false;
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      let job: IngestionJob | undefined;
      const owner = claimOwner();
      try {
        job = await store.ingestionQueue.claimNext(
          owner,
          Date.now(),
          Date.now() + options.leaseMilliseconds,
        );
      } catch (error) {
        options.log.error({ err: error }, 'claiming an ingestion job failed');
      }
      if (job) {
        await run(job, owner);
        switchPending = true;
        continue;
      }
      let busy = false;
      if (options.embedder)
        busy = await reembedNext(options.embedder).catch((error: unknown) => {
          options.log.error({ err: error }, 're-embedding: claiming or switching stores failed');
          return false;
        });
      if (!busy) await sleep(pollMilliseconds);
    }
  }

  return {
    start() {
      if (loops.length > 0) return;
      loops = Array.from({ length: options.concurrency }, () => loop());
    },
    wake() {
      for (const sleeper of wakeSleepers) sleeper();
    },
    async stop() {
      stopping.abort(new Error('The ingestion worker is stopping.'));
      for (const sleeper of wakeSleepers) sleeper();
      await Promise.all(loops);
    },
  };
}

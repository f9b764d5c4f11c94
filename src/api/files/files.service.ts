/** Files: upload (multipart, streamed to the blob store), retrieve, list, delete, and their bytes. */
import type { Readable } from 'node:stream';
import { BlobTooLargeError, type BlobStore } from '../../blobs/blob-store.ts';
import { nowSeconds } from '../../domain/clock.ts';
import { InvalidRequestError, NotFoundError, PayloadTooLargeError } from '../../domain/errors.ts';
import { abandonBytes, contentMissing, discardBytes } from '../../blobs/lost-bytes.ts';
import type { FileObject } from '../../domain/file.ts';
import type { LimitPolicy } from '../../domain/limits.ts';
import { newId } from '../../domain/ids.ts';
import type { PageParams } from '../../domain/list-page.ts';
import { parseOrThrow } from '../../http/validation.ts';
import type { Store } from '../../storage/store.ts';
import { FileUploadFieldsSchema } from './files.schemas.ts';
import { admitStoredBytes } from './stored-bytes-limit.ts';
import { mediaTypeOf } from './media-type.ts';

/** One part of a multipart upload, as @fastify/multipart yields it. */
export type UploadPart =
  | { type: 'file'; fieldname: string; filename: string; mimetype: string; file: Readable }
  | { type: 'field'; fieldname: string; value: unknown };

export interface FilesServiceOptions {
  store: Store;
  blobs: BlobStore;
  /** Largest accepted upload in bytes (`CONCIERGE_FILE_SIZE_LIMIT`). */
  fileSizeLimit: number;
  /** Stored bytes per project and key; absent: no limit. */
  limits?: LimitPolicy;
}

const FILENAME_LIMIT = 512;

/** Throws the 404 OpenAI gives for the first of `ids` that is not a file of the project. */
export async function assertFilesExist(
  store: Store,
  projectId: string,
  ids: string[],
  param: string,
  holdAgainstDeletion = false,
): Promise<void> {
  const unique = [...new Set(ids)];
  const found = await store.files.existing(projectId, unique, nowSeconds(), holdAgainstDeletion);
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw NotFoundError.object('file', missing, param);
}

function isTooLarge(error: unknown): boolean {
  return (
    error instanceof BlobTooLargeError ||
    (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE'
  );
}

export function createFilesService({ store, blobs, fileSizeLimit, limits }: FilesServiceOptions) {
  const tooLarge = () =>
    new PayloadTooLargeError(
      `File is too large: this server accepts files up to ${fileSizeLimit} bytes (CONCIERGE_FILE_SIZE_LIMIT).`,
      'file',
    );

  async function retrieveStored(projectId: string, fileId: string) {
    const stored = await store.files.find(projectId, fileId, nowSeconds());
    if (!stored) throw NotFoundError.object('file', fileId, 'file_id');
    return stored;
  }

  /** Stores the one file part under a fresh id while reading the fields around it. */
  async function receive(parts: AsyncIterable<UploadPart>) {
    const fields: Record<string, unknown> = {};
    let upload: { id: string; filename: string; mimetype: string; bytes: number } | undefined;
    try {
      for await (const part of parts) {
        if (part.type === 'field') {
          if (part.fieldname in fields)
            throw new InvalidRequestError(
              `Duplicate form field '${part.fieldname}'.`,
              part.fieldname,
            );
          fields[part.fieldname] = part.value;
          continue;
        }
        if (part.fieldname !== 'file')
          throw new InvalidRequestError(
            `Unexpected file field '${part.fieldname}'; upload the file as 'file'.`,
            part.fieldname,
          );
        if (upload) throw new InvalidRequestError('Upload exactly one file per request.', 'file');
        const id = newId('file');
        const { bytes } = await blobs.put(id, part.file, { maxBytes: fileSizeLimit });
        upload = { id, filename: part.filename, mimetype: part.mimetype, bytes };
      }
    } catch (error) {
      if (upload) await abandonBytes(blobs, upload.id);
      throw isTooLarge(error) ? tooLarge() : error;
    }
    return { fields, upload };
  }

  return {
    /** `apiKeyId`: the project key that uploads (its stored bytes are limited too). */
    async create(
      projectId: string,
      parts: AsyncIterable<UploadPart>,
      apiKeyId: string | null = null,
    ): Promise<FileObject> {
      const { fields, upload } = await receive(parts);
      try {
        const params = parseOrThrow(FileUploadFieldsSchema, fields, 'body');
        if (!upload) throw new InvalidRequestError("Missing required parameter: 'file'.", 'file');
        const filename = upload.filename.trim();
        if (
          filename === '' ||
          filename.length > FILENAME_LIMIT ||
          !filename.isWellFormed() ||
          filename.includes('\u0000')
        ) {
          throw new InvalidRequestError(
            `Invalid 'file': the filename must be 1-${FILENAME_LIMIT} characters of valid text.`,
            'file',
          );
        }
        if (upload.bytes === 0)
          throw new InvalidRequestError('The file you uploaded is empty (0 bytes).', 'file');
        const createdAt = nowSeconds();
        const seconds = params['expires_after[seconds]'];
        if (seconds !== undefined && params['expires_after[anchor]'] === undefined) {
          throw new InvalidRequestError(
            "Missing required parameter: 'expires_after[anchor]'.",
            'expires_after[anchor]',
          );
        }
        const file: FileObject = {
          id: upload.id,
          object: 'file',
          bytes: upload.bytes,
          created_at: createdAt,
          filename,
          purpose: params.purpose,
          status: 'processed',
          expires_at: seconds === undefined ? null : createdAt + seconds,
          status_details: null,
        };
        const contentType = mediaTypeOf(filename, upload.mimetype);
        const scopes = limits ? await limits.scopes(projectId, apiKeyId) : [];
        if (!scopes.some((scope) => scope.limits.max_stored_bytes !== null))
          await store.files.insert(projectId, file, contentType, apiKeyId);
        else
          await store.transaction(async (transaction) => {
            await admitStoredBytes(transaction, scopes, projectId, file.bytes);
            await transaction.files.insert(projectId, file, contentType, apiKeyId);
          });
        return file;
      } catch (error) {
        if (upload) await abandonBytes(blobs, upload.id);
        throw error;
      }
    },

    async retrieve(projectId: string, fileId: string): Promise<FileObject> {
      return (await retrieveStored(projectId, fileId)).file;
    },

    list(projectId: string, page: PageParams, purpose: string | undefined) {
      return store.files.list(
        projectId,
        page,
        purpose === undefined ? {} : { purpose },
        nowSeconds(),
      );
    },

    /** Deletes the file, detaching it from every vector store first. */
    async delete(projectId: string, fileId: string) {
      // The file's row first: it waits for a transaction adding the file to a vector store (which
      // holds the row), and the vector store files deleted next include the one that added it.
      const deleted = await store.transaction(async (transaction) => {
        const removed = await transaction.files.delete(projectId, fileId);
        await transaction.vectorStoreFiles.deleteEverywhere(projectId, fileId);
        return removed;
      });
      if (!deleted) throw NotFoundError.object('file', fileId, 'file_id');
      await discardBytes(blobs, fileId);
      return { id: fileId, object: 'file' as const, deleted: true };
    },

    /** The file's bytes with its metadata. */
    async content(
      projectId: string,
      fileId: string,
    ): Promise<{ file: FileObject; contentType: string; stream: Readable }> {
      const stored = await retrieveStored(projectId, fileId);
      const stream = await blobs.get(fileId);
      if (!stream) {
        // Deleted meanwhile (its row goes before its blob): the 404 of any file that is not there.
        await retrieveStored(projectId, fileId);
        // A row without bytes: the blob store lost them (emptied or restored without the blobs).
        throw contentMissing('file', fileId, 'file_id');
      }
      return { ...stored, stream };
    },

    /**
     * Deletes files whose `expires_after` passed by `now`, with their bytes; returns how many. The row
     * goes first: a crash before the blob is deleted leaves an orphaned blob (the janitor's blob sweep
     * removes it), never a file without bytes.
     */
    async sweepExpired(limit = 100, now = nowSeconds()): Promise<number> {
      const expired = await store.files.listExpired(now, limit);
      for (const { projectId, id } of expired) {
        await store.transaction(async (transaction) => {
          await transaction.vectorStoreFiles.deleteEverywhere(projectId, id);
          await transaction.files.delete(projectId, id);
        });
        await discardBytes(blobs, id);
      }
      return expired.length;
    },
  };
}

export type FilesService = ReturnType<typeof createFilesService>;

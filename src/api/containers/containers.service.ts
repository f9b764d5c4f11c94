/**
 * Containers: create (with files copied in), retrieve, list, delete; and their files: add (an upload
 * or a copy of a file), retrieve, list, delete, download. A container is the code sandbox a response's
 * code_interpreter runs in (see `domain/container.ts`); deleting one also closes its live session.
 */
import type { Readable } from 'node:stream';
import { BlobTooLargeError, type BlobStore } from '../../blobs/blob-store.ts';
import { nowSeconds } from '../../domain/clock.ts';
import {
  containerFilePath,
  DEFAULT_CONTAINER_MINUTES,
  type Container,
  type ContainerFile,
} from '../../domain/container.ts';
import { InvalidRequestError, NotFoundError, PayloadTooLargeError } from '../../domain/errors.ts';
import { abandonBytes, contentMissing, discardBytes } from '../../blobs/lost-bytes.ts';
import { newId } from '../../domain/ids.ts';
import type { LimitPolicy } from '../../domain/limits.ts';
import type { PageParams } from '../../domain/list-page.ts';
import type { Store } from '../../storage/store.ts';
import { mediaTypeOf } from '../files/media-type.ts';
import { admitStoredBytes } from '../files/stored-bytes-limit.ts';
import type { ContainerCreateParams } from './containers.schemas.ts';

/** The one file of a multipart container-file upload. */
export interface ContainerUpload {
  filename: string;
  file: Readable;
}

export interface ContainersServiceOptions {
  store: Store;
  blobs: BlobStore;
  /** Largest accepted upload in bytes (`CONCIERGE_FILE_SIZE_LIMIT`, as for `/v1/files`). */
  fileSizeLimit: number;
  /** The project's stored-bytes limit, which container files count toward; absent: no limit. */
  limits?: LimitPolicy;
  /** Closes the container's code session on this node, if one is open. */
  endSession(containerId: string): Promise<void>;
}

export function createContainersService({
  store,
  blobs,
  fileSizeLimit,
  limits,
  endSession,
}: ContainersServiceOptions) {
  async function retrieve(projectId: string, containerId: string): Promise<Container> {
    const container = await store.containers.find(projectId, containerId, nowSeconds());
    if (!container) throw NotFoundError.object('container', containerId, 'container_id');
    return container;
  }

  /** The container, used now; a 400 once it expired (its files stay readable until deleted). */
  async function use(projectId: string, containerId: string): Promise<void> {
    if (await store.containers.touch(projectId, containerId, nowSeconds())) return;
    await retrieve(projectId, containerId);
    throw new InvalidRequestError(
      `Container '${containerId}' has expired; create a new container.`,
      'container_id',
      'container_expired',
    );
  }

  /** Records a file whose bytes are already under `file.id`; replaces the file at its path. */
  async function record(projectId: string, file: ContainerFile): Promise<ContainerFile> {
    // A container file is the project's, not a key's: only the project's limit applies.
    const scopes = (limits ? await limits.scopes(projectId, null) : []).filter(
      (scope) => scope.limits.max_stored_bytes !== null,
    );
    let put;
    try {
      put = await (scopes.length === 0
        ? store.containerFiles.put(projectId, file)
        : store.transaction(async (transaction) => {
            // The file it replaces at the same path stops counting.
            await admitStoredBytes(transaction, scopes, projectId, file.bytes, async () => {
              const current = await transaction.containerFiles.atPath(
                projectId,
                file.container_id,
                file.path,
              );
              return current?.bytes ?? 0;
            });
            return transaction.containerFiles.put(projectId, file);
          }));
    } catch (error) {
      await abandonBytes(blobs, file.id);
      throw error;
    }
    const { added, replaced } = put;
    for (const id of replaced) await discardBytes(blobs, id);
    if (added) return file;
    await discardBytes(blobs, file.id);
    throw NotFoundError.object('container', file.container_id, 'container_id');
  }

  /** Copies the bytes of an uploaded file (`/v1/files`) into a new container file. */
  async function copyFile(
    projectId: string,
    containerId: string,
    fileId: string,
    path: string | undefined,
    param: string,
  ): Promise<ContainerFile> {
    const stored = await store.files.find(projectId, fileId, nowSeconds());
    if (!stored) throw NotFoundError.object('file', fileId, param);
    const stream = await blobs.get(fileId);
    if (!stream) throw contentMissing('file', fileId, param);
    const id = newId('containerFile');
    let bytes: number;
    try {
      ({ bytes } = await blobs.put(id, stream));
    } catch (error) {
      await abandonBytes(blobs, id);
      throw error;
    }
    return record(projectId, {
      id,
      object: 'container.file',
      container_id: containerId,
      created_at: nowSeconds(),
      bytes,
      path: path ?? containerFilePath(stored.file.filename),
      source: 'user',
    });
  }

  return {
    retrieve,
    use,

    async create(projectId: string, params: ContainerCreateParams): Promise<Container> {
      const now = nowSeconds();
      const fileIds = [...new Set(params.file_ids ?? [])];
      const found = await store.files.findMany(projectId, fileIds, now);
      const missing = fileIds.find((id) => !found.some((file) => file.id === id));
      if (missing !== undefined) throw NotFoundError.object('file', missing, 'file_ids');
      const container: Container = {
        id: newId('container'),
        object: 'container',
        name: params.name,
        created_at: now,
        status: 'running',
        last_active_at: now,
        expires_after: {
          anchor: 'last_active_at',
          minutes: params.expires_after?.minutes ?? DEFAULT_CONTAINER_MINUTES,
        },
        memory_limit: params.memory_limit ?? '1g',
        network_policy: { type: 'disabled' },
      };
      await store.containers.insert(projectId, container);
      // Two files with one name keep both: the later one is prefixed with its file id.
      const taken = new Set<string>();
      try {
        for (const file of found) {
          let path = containerFilePath(file.filename);
          if (taken.has(path)) path = containerFilePath(`${file.id}-${file.filename}`);
          taken.add(path);
          await copyFile(projectId, container.id, file.id, path, 'file_ids');
        }
      } catch (error) {
        // A file that could not be copied (its bytes lost, the storage down) fails the creation: no
        // container is left with part of its files.
        await this.delete(projectId, container.id).catch(() => {});
        throw error;
      }
      return container;
    },

    list(projectId: string, page: PageParams, name: string | undefined) {
      return store.containers.list(
        projectId,
        page,
        name === undefined ? {} : { name },
        nowSeconds(),
      );
    },

    /** Deletes the container, its files and their bytes, and closes its session here. */
    async delete(projectId: string, containerId: string) {
      const files = await store.containerFiles.listAll(projectId, containerId);
      if (!(await store.containers.delete(projectId, containerId)))
        throw NotFoundError.object('container', containerId, 'container_id');
      await endSession(containerId);
      for (const file of files) await discardBytes(blobs, file.id);
      return { id: containerId, object: 'container.deleted' as const, deleted: true };
    },

    /** Adds an uploaded file (multipart) to a running container. */
    async createFileFromUpload(
      projectId: string,
      containerId: string,
      upload: ContainerUpload,
    ): Promise<ContainerFile> {
      await use(projectId, containerId);
      const id = newId('containerFile');
      let bytes: number;
      try {
        ({ bytes } = await blobs.put(id, upload.file, { maxBytes: fileSizeLimit }));
      } catch (error) {
        await abandonBytes(blobs, id);
        const code = (error as { code?: string }).code;
        if (!(error instanceof BlobTooLargeError) && code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
        throw new PayloadTooLargeError(
          `File is too large: this server accepts files up to ${fileSizeLimit} bytes (CONCIERGE_FILE_SIZE_LIMIT).`,
          'file',
        );
      }
      return record(projectId, {
        id,
        object: 'container.file',
        container_id: containerId,
        created_at: nowSeconds(),
        bytes,
        path: containerFilePath(upload.filename),
        source: 'user',
      });
    },

    /** Copies a file of `/v1/files` into a running container. */
    async createFileFromFile(projectId: string, containerId: string, fileId: string) {
      await use(projectId, containerId);
      return copyFile(projectId, containerId, fileId, undefined, 'file_id');
    },

    async retrieveFile(projectId: string, containerId: string, fileId: string) {
      await retrieve(projectId, containerId);
      const file = await store.containerFiles.find(projectId, containerId, fileId);
      if (!file) throw NotFoundError.object('container file', fileId, 'file_id');
      return file;
    },

    async listFiles(projectId: string, containerId: string, page: PageParams) {
      await retrieve(projectId, containerId);
      return store.containerFiles.list(projectId, containerId, page);
    },

    async deleteFile(projectId: string, containerId: string, fileId: string) {
      await retrieve(projectId, containerId);
      if (!(await store.containerFiles.delete(projectId, containerId, fileId)))
        throw NotFoundError.object('container file', fileId, 'file_id');
      await discardBytes(blobs, fileId);
      return { id: fileId, object: 'container.file.deleted' as const, deleted: true };
    },

    /** The file's bytes, with the media type its name implies. */
    async fileContent(projectId: string, containerId: string, fileId: string) {
      const file = await this.retrieveFile(projectId, containerId, fileId);
      const stream = await blobs.get(fileId);
      if (!stream) {
        // Deleted meanwhile (its row goes before its blob): the 404 of any file that is not there.
        await this.retrieveFile(projectId, containerId, fileId);
        throw contentMissing('container file', fileId, 'file_id');
      }
      return { file, contentType: mediaTypeOf(file.path, undefined), stream };
    },
  };
}

export type ContainersService = ReturnType<typeof createContainersService>;

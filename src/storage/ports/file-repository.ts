/** Port: file metadata. The bytes live in the blob store under the file's id. */
import type { FileObject } from '../../domain/file.ts';
import type { ListPage, PageParams } from '../../domain/list-page.ts';

export interface StoredFile {
  file: FileObject;
  /** The media type recorded at upload (inferred from the filename when the client sent octet-stream). */
  contentType: string;
}

export interface FileRepository {
  /** `apiKeyId`: the project key that uploaded it (stored bytes are limited per key too). */
  insert(
    projectId: string,
    file: FileObject,
    contentType: string,
    apiKeyId?: string | null,
  ): Promise<void>;
  /** The file, unless it does not exist in the project or expired at or before `now` (seconds). */
  find(projectId: string, id: string, now: number): Promise<StoredFile | undefined>;
  /** The unexpired files of the project among `ids`, in no particular order. */
  findMany(projectId: string, ids: string[], now: number): Promise<FileObject[]>;
  /**
   * The ids among `ids` that exist, unexpired, in the project. With `holdAgainstDeletion`, inside a
   * transaction: a deletion of those files waits for the transaction's end (a row referencing them,
   * such as a vector store file, is then seen by the deletion). PostgreSQL takes `FOR SHARE`; SQLite's
   * write transactions already run one at a time.
   */
  existing(
    projectId: string,
    ids: string[],
    now: number,
    holdAgainstDeletion?: boolean,
  ): Promise<Set<string>>;
  list(
    projectId: string,
    page: PageParams,
    filter: { purpose?: string },
    now: number,
  ): Promise<ListPage<FileObject>>;
  delete(projectId: string, id: string): Promise<boolean>;
  /** Up to `limit` files whose expiry passed, for the sweeper that deletes them and their bytes. */
  listExpired(now: number, limit: number): Promise<Array<{ projectId: string; id: string }>>;
}

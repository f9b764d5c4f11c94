/** Port: containers (named code sandboxes) and their files. The bytes live in the blob store. */
import type { Container, ContainerFile } from '../../domain/container.ts';
import type { ListPage, PageParams } from '../../domain/list-page.ts';

export interface ContainerRepository {
  insert(projectId: string, container: Container): Promise<void>;
  /** The container with its status at `now` (seconds), or undefined when not in the project. */
  find(projectId: string, id: string, now: number): Promise<Container | undefined>;
  list(
    projectId: string,
    page: PageParams,
    filter: { name?: string },
    now: number,
  ): Promise<ListPage<Container>>;
  /** Deletes the container and its file rows (not their blobs: list them first). */
  delete(projectId: string, id: string): Promise<boolean>;
  /**
   * Marks the container used at `now`, only while it is running (one statement, so a container
   * that expired is never brought back by a use that raced its expiry). False when expired or absent.
   */
  touch(projectId: string, id: string, now: number): Promise<boolean>;
}

export interface ContainerFileRepository {
  /**
   * Adds a file, replacing the container's file at the same path if there is one (a cell that
   * rewrites `/mnt/data/x`); resolves to the ids of the files it replaced, whose blobs the caller
   * deletes. Concurrent puts of one path leave exactly one file there. `added` is false when the
   * container is gone (deleted meanwhile).
   */
  put(projectId: string, file: ContainerFile): Promise<{ added: boolean; replaced: string[] }>;
  /** The container's file at `path`, the one a put of that path would replace. */
  atPath(projectId: string, containerId: string, path: string): Promise<ContainerFile | undefined>;
  find(projectId: string, containerId: string, id: string): Promise<ContainerFile | undefined>;
  list(projectId: string, containerId: string, page: PageParams): Promise<ListPage<ContainerFile>>;
  /** Every file of the container, oldest first (what a new session copies in). */
  listAll(projectId: string, containerId: string): Promise<ContainerFile[]>;
  delete(projectId: string, containerId: string, id: string): Promise<boolean>;
}

/**
 * Containers: a named, project-owned code_interpreter sandbox that a response can reuse by id, with
 * the files it holds under `/mnt/data`. In Concierge a container is a code session whose key is the
 * container id (the sandbox of `tools/code-interpreter/`, the same one a thread gets in Assistants);
 * the container and its files are rows and blobs, so they outlive the session, which the sandbox
 * restarts with the files copied back in when it was closed (idle, eviction, another node).
 *
 * Status is not written but read from the clock: `running` until `last_active_at` plus
 * `expires_after.minutes`, then `expired` for good (an expired container refuses new files and new
 * code). So there is no status transition to check and no table here, unlike runs.
 */

export const CONTAINER_MEMORY_LIMITS = ['1g', '4g', '16g', '64g'] as const;
export type ContainerMemoryLimit = (typeof CONTAINER_MEMORY_LIMITS)[number];

/** OpenAI's default: a container expires 20 minutes after its last use. */
export const DEFAULT_CONTAINER_MINUTES = 20;

export interface Container {
  id: string;
  object: 'container';
  name: string;
  created_at: number;
  status: 'running' | 'expired';
  last_active_at: number;
  expires_after: { anchor: 'last_active_at'; minutes: number };
  /** Recorded as asked; the sandbox's own limits (`CONCIERGE_CODE_*`) are what apply. */
  memory_limit: ContainerMemoryLimit;
  /** Always disabled: the sandbox has no network (an allowlist is refused on create). */
  network_policy: { type: 'disabled' };
}

export interface ContainerFile {
  id: string;
  object: 'container.file';
  container_id: string;
  created_at: number;
  bytes: number;
  /** `/mnt/data/<name>`, as the code sees it. */
  path: string;
  /** `user` for an upload or a copied file, `assistant` for a file the code wrote. */
  source: 'user' | 'assistant';
}

/** The directory every container file lives in, as the code sees it. */
export const CONTAINER_DATA_DIRECTORY = '/mnt/data';

/** The container's status at `now` (seconds): expired once its idle time passed. */
export function containerStatus(
  container: Pick<Container, 'last_active_at' | 'expires_after'>,
  now: number,
): Container['status'] {
  return now >= container.last_active_at + container.expires_after.minutes * 60
    ? 'expired'
    : 'running';
}

/**
 * Where a file named `name` lands: `/mnt/data/<base name>`, with characters a file name cannot hold
 * (slashes, control characters) replaced and a leading dot dropped, at most 200 characters.
 */
export function containerFilePath(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const safe = [...base]
    .map((character) => {
      const code = character.codePointAt(0)!;
      return code < 0x20 || code === 0x7f ? '_' : character;
    })
    .join('')
    .replace(/^\.+/, '')
    .slice(0, 200);
  return `${CONTAINER_DATA_DIRECTORY}/${safe || 'file'}`;
}

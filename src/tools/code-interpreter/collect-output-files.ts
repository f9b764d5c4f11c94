/**
 * Finds the files a cell created or changed in a session directory and reads them safely.
 *
 * The directory is writable by untrusted code, which may plant symlinks to host paths (hoping the
 * server reads `/etc/shadow` for it), FIFOs (hoping the server blocks forever) or swap a path while
 * we read. So: entries are listed with `lstat` semantics, files are opened with
 * O_NOFOLLOW | O_NONBLOCK, the opened descriptor must be a regular file whose real path is still
 * inside the directory, and reads stop at the size cap.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { mimeType } from './mime-type.ts';
import type { OutputFile } from './sandbox.ts';

/** Relative path → identity of what was there (inode, size, mtime). */
export type DirectorySnapshot = Map<string, string>;

const MAX_DEPTH = 4;
const MAX_ENTRIES = 2000;

/** Lists the directory tree (dot-entries skipped, symlinks not followed) with a signature per entry. */
export async function snapshotDirectory(root: string): Promise<DirectorySnapshot> {
  const snapshot: DirectorySnapshot = new Map();
  const visit = async (relative: string, depth: number): Promise<void> => {
    const entries = await readdir(join(root, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith('.') || snapshot.size >= MAX_ENTRIES) continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await visit(path, depth + 1);
        continue;
      }
      const stats = await lstat(join(root, path), { bigint: true }).catch(() => undefined);
      if (stats) snapshot.set(path, `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.mode}`);
    }
  };
  await visit('', 0);
  return snapshot;
}

export interface OutputFileLimits {
  maxFiles: number;
  maxFileBytes: number;
}

export interface CollectedOutputFiles {
  files: OutputFile[];
  /** Model-readable lines about entries that were not returned, and why. */
  notices: string[];
}

/** Reads every entry that is new or changed since `before`, keeping only safe regular files. */
export async function collectOutputFiles(
  root: string,
  before: DirectorySnapshot,
  limits: OutputFileLimits,
): Promise<CollectedOutputFiles> {
  const after = await snapshotDirectory(root);
  const changed = [...after]
    .filter(([name, signature]) => before.get(name) !== signature)
    .map(([name]) => name)
    .sort();
  const realRoot = await realpath(root);
  const files: OutputFile[] = [];
  const notices: string[] = [];
  for (const name of changed) {
    if (files.length >= limits.maxFiles) {
      notices.push(
        `[concierge] ${changed.length - limits.maxFiles} more changed files were not returned (limit ${limits.maxFiles} per cell).`,
      );
      break;
    }
    const read = await readRegularFile(realRoot, name, limits.maxFileBytes);
    if (typeof read === 'string')
      notices.push(`[concierge] /mnt/data/${name} was not returned: ${read}.`);
    else files.push({ name, bytes: read, mimeType: mimeType(name) });
  }
  return { files, notices };
}

/** The file's bytes, or why it is refused. */
async function readRegularFile(
  realRoot: string,
  name: string,
  maxBytes: number,
): Promise<Buffer | string> {
  let handle;
  try {
    handle = await open(
      join(realRoot, name),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'it is a symbolic link; only regular files are returned';
    if (code === 'ENOENT') return 'it was removed before it could be read';
    return `it could not be opened (${code ?? 'error'})`;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return 'it is not a regular file';
    const actual = await readlink(`/proc/self/fd/${handle.fd}`);
    if (!actual.startsWith(`${realRoot}/`)) return 'it resolves outside /mnt/data';
    if (stats.size > maxBytes) return `it is larger than the ${maxBytes} byte limit`;
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return `it is larger than the ${maxBytes} byte limit`;
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

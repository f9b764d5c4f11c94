/**
 * How much a session directory holds. RLIMIT_FSIZE caps one file; this is what caps the session, so
 * that a cell writing file after file cannot fill the server's disk.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface DirectoryUsage {
  bytes: number;
  entries: number;
}

/** Sums sizes (symlinks not followed) until `maxEntries` is passed, where it stops counting. */
export async function directoryUsage(root: string, maxEntries: number): Promise<DirectoryUsage> {
  const usage: DirectoryUsage = { bytes: 0, entries: 0 };
  const pending = [root];
  while (pending.length > 0 && usage.entries <= maxEntries) {
    const directory = pending.pop()!;
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      usage.entries++;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else usage.bytes += (await lstat(path).catch(() => undefined))?.size ?? 0;
      if (usage.entries > maxEntries) break;
    }
  }
  return usage;
}

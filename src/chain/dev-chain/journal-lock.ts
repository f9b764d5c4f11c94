/**
 * One process at a time may run a dev chain on a data directory: two would append to one journal and
 * fork the chain. The lock is a file holding the owner's pid; a lock whose process is gone is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class JournalLockedError extends Error {
  override name = 'JournalLockedError';
}

/** Takes the lock at `path`; returns its release. Throws `JournalLockedError` while another live process holds it. */
export async function lockJournal(path: string): Promise<() => void> {
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && processIsAlive(owner)) {
        throw new JournalLockedError(
          `the dev chain in ${dirname(path)} is already running in process ${owner}${owner === process.pid ? ' (this one)' : ''}`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new JournalLockedError(`could not take the dev chain lock ${path}`);
}

/**
 * Writes an input file into a session directory that untrusted code can also write. The code may
 * have planted `/mnt/data/<name>` as a symlink to a host file; writing through it would let the
 * server overwrite that host file. So the bytes go to a fresh temporary name (O_EXCL, which never
 * follows a symlink) and are renamed over the target, which replaces the entry itself.
 */
import { randomBytes } from 'node:crypto';
import { chown, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRequestError } from '../../domain/errors.ts';

/**
 * Whether `name` can be used as `/mnt/data/<name>`: a plain file name of at most 255 bytes, no
 * directories, no dot-files, no control characters. `sessionFileNames` makes any name fit.
 */
export function isValidSessionFileName(name: string): boolean {
  if (name.length === 0 || Buffer.byteLength(name) > 255 || name.startsWith('.')) return false;
  return [...name].every((character) => {
    const code = character.codePointAt(0)!;
    return character !== '/' && character !== '\\' && code >= 0x20 && code !== 0x7f;
  });
}

/** Writes `bytes` as `<directory>/<name>`, owned by `owner` when given (the jail's host uid). */
export async function putSessionFile(
  directory: string,
  name: string,
  bytes: Uint8Array,
  owner?: number,
): Promise<void> {
  if (!isValidSessionFileName(name)) {
    throw new InvalidRequestError(
      `Invalid sandbox file name '${name}': use a plain file name without '/' or a leading '.'.`,
      'name',
    );
  }
  const temporary = join(directory, `.upload-${randomBytes(8).toString('hex')}`);
  try {
    await writeFile(temporary, bytes, { flag: 'wx', mode: 0o644 });
    if (owner !== undefined) await chown(temporary, owner, owner);
    await rename(temporary, join(directory, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

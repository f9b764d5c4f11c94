/**
 * The names a run's files get under `/mnt/data`. A file's name comes from whoever uploaded it, so
 * it may be anything: a dotfile (`.bashrc`), a path (`../../etc/passwd`, `a/b.csv`), control
 * characters, more than the 255 bytes a file name may have, or the same name as another file. Each
 * file gets a plain, distinct name that `putSessionFile` accepts, as close to the original as possible.
 */
import { isValidSessionFileName } from './put-session-file.ts';

/** Longest file name, in UTF-8 bytes, on the filesystems sessions live on. */
const MAX_NAME_BYTES = 255;
/** An extension longer than this is not kept apart when a name is shortened. */
const MAX_EXTENSION_BYTES = 16;

export interface NamedFile {
  id: string;
  filename: string;
}

/** A distinct, valid `/mnt/data` name for each file (by id), in the order given. */
export function sessionFileNames(files: readonly NamedFile[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const file of files) {
    let name = plainName(file.filename) || file.id;
    if (taken.has(name)) name = fitName(`${file.id}-${name}`);
    for (let attempt = 2; taken.has(name) || !isValidSessionFileName(name); attempt++)
      name = fitName(`${file.id}-${attempt}`);
    taken.add(name);
    names.set(file.id, name);
  }
  return names;
}

/** The last path segment, without control characters or leading dots and spaces, at most 255 bytes. */
function plainName(filename: string): string {
  const segment = filename.split(/[/\\]/).pop() ?? '';
  const printable = [...segment]
    .filter((character) => {
      const code = character.codePointAt(0)!;
      return code >= 0x20 && code !== 0x7f;
    })
    .join('');
  return fitName(printable.replace(/^[.\s]+/, '').trimEnd());
}

/** Shortens a name to 255 UTF-8 bytes, keeping a short extension and whole characters. */
function fitName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension =
    dot > 0 && Buffer.byteLength(name.slice(dot)) <= MAX_EXTENSION_BYTES ? name.slice(dot) : '';
  let stem = '';
  const room = MAX_NAME_BYTES - Buffer.byteLength(extension);
  for (const character of name.slice(0, name.length - extension.length)) {
    if (Buffer.byteLength(stem + character) > room) break;
    stem += character;
  }
  return stem + extension;
}

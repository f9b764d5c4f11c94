import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectOutputFiles, snapshotDirectory } from './collect-output-files.ts';
import { putSessionFile } from './put-session-file.ts';

const LIMITS = { maxFiles: 5, maxFileBytes: 1024 };

describe('output files and input files of a session directory', () => {
  let root: string;
  let directory: string;
  let hostSecret: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'concierge-outputs-'));
    directory = join(root, 'session');
    await mkdir(directory);
    hostSecret = join(root, 'secret.txt');
    await writeFile(hostSecret, 'host secret');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('returns new and changed regular files, also in subfolders, and skips unchanged and dot-files', async () => {
    await writeFile(join(directory, 'kept.csv'), 'a');
    await writeFile(join(directory, 'edited.txt'), 'old');
    const before = await snapshotDirectory(directory);
    await writeFile(join(directory, 'edited.txt'), 'new, longer');
    await mkdir(join(directory, 'charts'));
    await writeFile(join(directory, 'charts', 'plot.png'), 'png');
    await writeFile(join(directory, '.cache'), 'hidden');
    const { files, notices } = await collectOutputFiles(directory, before, LIMITS);
    expect(files.map((file) => [file.name, file.mimeType, file.bytes.toString()])).toEqual([
      ['charts/plot.png', 'image/png', 'png'],
      ['edited.txt', 'text/plain', 'new, longer'],
    ]);
    expect(notices).toEqual([]);
  });

  it('refuses symlinks (to files and to folders), FIFOs and oversized files, saying why', async () => {
    const before = await snapshotDirectory(directory);
    await symlink(hostSecret, join(directory, 'leak.txt'));
    await symlink(root, join(directory, 'host'));
    execFileSync('mkfifo', [join(directory, 'pipe.csv')]);
    await writeFile(join(directory, 'big.bin'), Buffer.alloc(2048));
    const { files, notices } = await collectOutputFiles(directory, before, LIMITS);
    expect(files).toEqual([]);
    expect(notices).toEqual([
      '[concierge] /mnt/data/big.bin was not returned: it is larger than the 1024 byte limit.',
      '[concierge] /mnt/data/host was not returned: it is a symbolic link; only regular files are returned.',
      '[concierge] /mnt/data/leak.txt was not returned: it is a symbolic link; only regular files are returned.',
      '[concierge] /mnt/data/pipe.csv was not returned: it is not a regular file.',
    ]);
  });

  it('caps the number of files per cell', async () => {
    const before = await snapshotDirectory(directory);
    for (let index = 0; index < 7; index++)
      await writeFile(join(directory, `file-${index}.txt`), String(index));
    const { files, notices } = await collectOutputFiles(directory, before, LIMITS);
    expect(files).toHaveLength(5);
    expect(notices).toEqual([
      '[concierge] 2 more changed files were not returned (limit 5 per cell).',
    ]);
  });

  it('replaces a planted symlink with the input file instead of writing through it', async () => {
    await symlink(hostSecret, join(directory, 'input.csv'));
    await putSessionFile(directory, 'input.csv', Buffer.from('user data'));
    expect(await readFile(hostSecret, 'utf8')).toBe('host secret');
    expect(await readFile(join(directory, 'input.csv'), 'utf8')).toBe('user data');
  });

  it('rejects input file names that are paths, dot-files or contain control characters', async () => {
    for (const name of ['../x.csv', 'a/b.csv', '.bashrc', 'tab\there', '', 'x'.repeat(256)]) {
      await expect(putSessionFile(directory, name, Buffer.from('x'))).rejects.toMatchObject({
        param: 'name',
      });
    }
    await putSessionFile(directory, 'Quarterly report (final).xlsx', Buffer.from('ok'));
    expect(await readFile(join(directory, 'Quarterly report (final).xlsx'), 'utf8')).toBe('ok');
  });
});

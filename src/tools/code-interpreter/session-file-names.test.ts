import { describe, expect, it } from 'vitest';
import { isValidSessionFileName } from './put-session-file.ts';
import { sessionFileNames } from './session-file-names.ts';

function named(...filenames: string[]) {
  const files = filenames.map((filename, index) => ({ id: `file-${index}`, filename }));
  return [...sessionFileNames(files).values()];
}

describe('names of a run’s files under /mnt/data', () => {
  it('keeps ordinary names as they are', () => {
    expect(named('sales.csv', 'Q3 report (final).xlsx', 'données.csv')).toEqual([
      'sales.csv',
      'Q3 report (final).xlsx',
      'données.csv',
    ]);
  });

  it('makes hostile names plain: dotfiles, paths, control characters, NUL', () => {
    const names = named(
      '.bashrc',
      '../../etc/passwd',
      'a/b\\c.csv',
      'line\nbreak\u0000.txt',
      '..',
      '.',
      '',
      ' \u0007 ',
    );
    expect(names.slice(0, 4)).toEqual(['bashrc', 'passwd', 'c.csv', 'linebreak.txt']);
    // Nothing left of the name: the file id stands in.
    expect(names.slice(4)).toEqual(['file-4', 'file-5', 'file-6', 'file-7']);
    for (const name of names) expect(isValidSessionFileName(name)).toBe(true);
  });

  it('shortens names past 255 bytes, keeping the extension and whole characters', () => {
    const [ascii, multibyte] = named(`${'a'.repeat(400)}.csv`, `${'é'.repeat(200)}.png`);
    expect(Buffer.byteLength(ascii!)).toBe(255);
    expect(ascii!.endsWith('a.csv')).toBe(true);
    expect(Buffer.byteLength(multibyte!)).toBeLessThanOrEqual(255);
    expect(multibyte!).toMatch(/^é+\.png$/);
  });

  it('gives files whose names collide distinct names', () => {
    const names = named('data.csv', 'data.csv', '.data.csv', 'dir/data.csv', 'file-1-data.csv');
    expect(new Set(names).size).toBe(5);
    expect(names[0]).toBe('data.csv');
    expect(names[1]).toBe('file-1-data.csv');
    expect(names[2]).toBe('file-2-data.csv');
    for (const name of names) expect(isValidSessionFileName(name)).toBe(true);
  });
});

/**
 * The build script's handling of the bundle across rebuilds: a server started before a rebuild still
 * finds the lazy chunks it was built with (their names carry their content's hash), one rebuild back.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepPreviousChunks } from '../scripts/build.mjs';

describe('keepPreviousChunks', () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0))
      rmSync(directory, { recursive: true, force: true });
  });

  /** A bundle directory holding `built` (listed in its map) and `carried` (not in its map). */
  function bundle(built: string[], carried: string[] = []): string {
    const directory = mkdtempSync(join(tmpdir(), 'concierge-bundle-'));
    directories.push(directory);
    mkdirSync(directory, { recursive: true });
    for (const name of [...built, ...carried]) writeFileSync(join(directory, name), `// ${name}\n`);
    const map = Object.fromEntries(built.map((name) => [name, [`src/${name}`]]));
    writeFileSync(join(directory, 'modules.json'), JSON.stringify(map));
    return directory;
  }

  it("copies the previous build's files this one lacks, and none it carried itself", () => {
    const previous = bundle(['cli.js', 'store-OLD.js', 'chunk-SHARED.js'], ['store-OLDER.js']);
    const next = bundle(['cli.js', 'store-NEW.js', 'chunk-SHARED.js']);
    keepPreviousChunks(previous, next);
    expect(readdirSync(next).sort()).toEqual([
      'chunk-SHARED.js',
      'cli.js',
      'modules.json',
      'store-NEW.js',
      'store-OLD.js',
    ]);
  });

  it('does nothing without a previous build', () => {
    const next = bundle(['cli.js']);
    keepPreviousChunks(join(next, 'missing'), next);
    expect(readdirSync(next).sort()).toEqual(['cli.js', 'modules.json']);
  });
});

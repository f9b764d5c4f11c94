/**
 * `npm ci --omit=optional` leaves out esbuild's native binary (an optional per-platform package):
 * the build then compiles with TypeScript, and must give the tree esbuild gives.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build, BUNDLE, OUTPUT } from '../scripts/build.mjs';

/** Ignored by git (`/dist.staging-*` ), beside dist/ so packages resolve from it as from dist/. */
const TYPESCRIPT_OUTPUT = `${OUTPUT}.staging-typescript-${process.pid}`;

/** The per-module tree's files (the bundle, built by esbuild only, left out). */
function files(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name !== '.build-complete')
    .filter((entry) => !relative(directory, entry.parentPath).startsWith(BUNDLE))
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

/** Every module a compiled file imports or re-exports, statically or with `import()`. */
function specifiers(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const found = [...text.matchAll(/(?:\bfrom|\bimport\(?)\s*["']([^"']+)["']/g)].map(
    (match) => match[1]!,
  );
  return [...new Set(found)].sort();
}

const esbuildMissing = async () => {
  throw new Error('The package "@esbuild/linux-x64" could not be found, and is needed by esbuild.');
};

describe('the build without esbuild’s binary', () => {
  afterAll(() => {
    rmSync(TYPESCRIPT_OUTPUT, { recursive: true, force: true });
    // A failed build leaves its staging directory.
    rmSync(`${TYPESCRIPT_OUTPUT}.staging-${process.pid}`, { recursive: true, force: true });
  });

  it('compiles with TypeScript to the modules esbuild emits, importing the same modules', async () => {
    await build({ output: TYPESCRIPT_OUTPUT, compile: esbuildMissing, bundle: esbuildMissing });
    expect(existsSync(join(TYPESCRIPT_OUTPUT, BUNDLE))).toBe(false);
    // dist/ is esbuild's build of the same sources (test/helpers/build-dist.ts).
    const emitted = files(TYPESCRIPT_OUTPUT);
    expect(emitted).toEqual(files(OUTPUT));
    for (const file of emitted.filter((name) => name.endsWith('.js')))
      expect([file, specifiers(join(TYPESCRIPT_OUTPUT, file))]).toEqual([
        file,
        specifiers(join(OUTPUT, file)),
      ]);
    const cli = (await import(pathToFileURL(join(TYPESCRIPT_OUTPUT, 'cli.js')).href)) as {
      runCli: unknown;
    };
    expect(typeof cli.runCli).toBe('function');
  }, 120_000);

  it('does not hide any other compile error', async () => {
    await expect(
      build({
        output: TYPESCRIPT_OUTPUT,
        compile: async () => {
          throw new Error('src/x.ts:1:1: ERROR: Unexpected "}"');
        },
        bundle: esbuildMissing,
      }),
    ).rejects.toThrow('Unexpected "}"');
  });
});

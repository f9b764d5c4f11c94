/**
 * web/dist is committed so that `npm ci && npm start` serves the playground without a build step. This
 * test rebuilds web/src into a scratch folder and fails when the committed build is not that build
 * (run `npm run build:web` and commit web/dist).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const WEB = resolve(import.meta.dirname, '../../web');
const VITE = join(
  dirname(createRequire(import.meta.url).resolve('vite/package.json')),
  'bin/vite.js',
);

function filesUnder(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}

describe('the committed playground build', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'playground-build-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is exactly what web/src builds to (run `npm run build:web` after changing the UI)', () => {
    // As `npm run build:web` runs it: its own process, NODE_ENV=production (vitest's "test" would change the bundle).
    execFileSync(
      process.execPath,
      [
        VITE,
        'build',
        '--config',
        join(WEB, 'vite.config.ts'),
        '--outDir',
        scratch,
        '--emptyOutDir',
        '--logLevel',
        'error',
      ],
      {
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: 'pipe',
      },
    );
    const fresh = filesUnder(scratch);
    const committed = filesUnder(join(WEB, 'dist'));
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [name, content] of fresh)
      expect(committed.get(name) === content, `web/dist/${name} differs from a fresh build`).toBe(
        true,
      );
    // Small enough to commit and to load quickly: the whole UI, React included.
    const bytes = [...committed.values()].reduce(
      (total, content) => total + Buffer.byteLength(content),
      0,
    );
    expect(bytes).toBeLessThan(400 * 1024);
  });
});

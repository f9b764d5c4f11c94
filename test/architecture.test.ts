import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkArchitecture } from '../scripts/check-architecture.ts';

const fixtures: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'architecture-'));
  fixtures.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
afterAll(() => fixtures.forEach((root) => rmSync(root, { recursive: true, force: true })));

describe('architecture check', () => {
  it('passes on this repository', () => {
    expect(checkArchitecture(resolve(import.meta.dirname, '..')).problems).toEqual([]);
  });

  it('fails when domain imports another layer', () => {
    const root = tree({
      'src/domain/a.ts': "import { x } from '../http/b.ts';\n",
      'src/http/b.ts': 'export const x = 1;\n',
    });
    expect(checkArchitecture(root).problems.join('\n')).toMatch(/domain\) may not import/);
  });

  it('fails when a layer reaches into another layer’s adapter', () => {
    const root = tree({
      'src/engine/loop.ts': "import { s } from '../storage/sqlite/sqlite-store.ts';\n",
      'src/storage/sqlite/sqlite-store.ts': 'export const s = 1;\n',
    });
    expect(checkArchitecture(root).problems.join('\n')).toMatch(/an adapter inside storage/);
  });

  it('fails when a layer imports an engine module other than its entry points', () => {
    const root = tree({
      'src/api/runs.ts':
        "import { e } from '../engine/runs-engine.ts';\nimport { t } from '../engine/run-transitions.ts';\nexport const r = [e, t];\n",
      'src/service-agents/delegate.ts':
        "import { w } from '../engine/worker.ts';\nexport const d = w;\n",
      'src/engine/runs-engine.ts':
        "import { t } from './run-transitions.ts';\nexport const e = t;\n",
      'src/engine/run-transitions.ts': 'export const t = 1;\n',
      'src/engine/worker.ts': 'export const w = 1;\n',
    });
    expect(checkArchitecture(root).problems).toEqual([
      expect.stringMatching(
        /^src\/api\/runs.ts imports src\/engine\/run-transitions.ts, which is internal to engine\//,
      ),
    ]);
  });

  it('lets the composition folder pick adapters', () => {
    const root = tree({
      'src/composition/persistence.ts': "import { s } from '../storage/sqlite/sqlite-store.ts';\n",
      'src/storage/sqlite/sqlite-store.ts': 'export const s = 1;\n',
    });
    expect(checkArchitecture(root).problems).toEqual([]);
  });

  it('fails when a layer imports the composition folder', () => {
    const root = tree({
      'src/api/a.ts': "import { p } from '../composition/persistence.ts';\n",
      'src/composition/persistence.ts': 'export const p = 1;\n',
    });
    expect(checkArchitecture(root).problems.join('\n')).toMatch(
      /src\/api\/a.ts imports the composition root src\/composition\/persistence.ts/,
    );
  });

  it('fails on an import cycle', () => {
    const root = tree({
      'src/http/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'src/http/b.ts': "import { a } from './a.ts';\nexport const b = a;\n",
    });
    expect(checkArchitecture(root).problems.join('\n')).toMatch(/import cycle/);
  });

  it('fails on a file over 600 lines', () => {
    const root = tree({ 'src/domain/big.ts': 'export const x = 1;\n'.repeat(601) });
    expect(checkArchitecture(root).problems.join('\n')).toMatch(/big.ts: 602 lines/);
  });
});

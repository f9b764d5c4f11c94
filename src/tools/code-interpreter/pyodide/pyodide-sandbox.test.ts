import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellCancellationCases } from '../../../../test/helpers/cell-cancellation.ts';
import { makeDataDir, removeDataDir } from '../../../../test/helpers/sandbox.ts';
import type { Sandbox, SandboxSession } from '../sandbox.ts';
import { createPyodideSandbox } from './pyodide-sandbox.ts';

const CELL = { timeoutMs: 20_000 };

describe('pyodide sandbox (fallback)', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let session: SandboxSession;
  const warnings: string[] = [];

  beforeAll(async () => {
    dataDir = await makeDataDir();
    await writeFile(join(dataDir, 'concierge.db'), 'server secrets');
    sandbox = await createPyodideSandbox({
      sessionsDirectory: join(dataDir, 'sandboxes'),
      log: { info: () => {}, warn: (message) => warnings.push(message) },
    });
    session = await sandbox.openSession('thread_pyodide');
  }, 90_000);

  afterAll(async () => {
    await sandbox.close();
    await removeDataDir(dataDir);
  });

  cellCancellationCases(() => sandbox, 'node');

  it('says, once, that it is not a security boundary and which libraries are missing', () => {
    expect(sandbox).toMatchObject({
      kind: 'pyodide',
      securityBoundary: false,
      missingLibraries: ['numpy', 'pandas', 'matplotlib', 'openpyxl'],
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('NOT a security boundary');
    expect(warnings[0]).toContain('numpy, pandas, matplotlib, openpyxl');
  });

  it('keeps variables across cells, prints a trailing expression and reports exceptions', async () => {
    expect((await session.runCell('rows = [1, 2, 3]\nsum(rows)', CELL)).logs).toBe('6\n');
    const failed = await session.runCell('rows[10]', CELL);
    expect(failed.error).toMatchObject({ name: 'IndexError', message: 'list index out of range' });
    expect(failed.error!.traceback).toContain('<cell-2>');
    expect((await session.runCell('print(len(rows))', CELL)).logs).toBe('3\n');
  });

  it('reads input files at /mnt/data and returns the files a cell writes', async () => {
    await session.putFile('input.csv', Buffer.from('name,score\nada,3\nbob,5\n'));
    const result = await session.runCell(
      'import csv\nwith open("/mnt/data/input.csv") as f:\n    rows = list(csv.DictReader(f))\nwith open("/mnt/data/total.csv", "w", newline="") as f:\n    csv.writer(f).writerow(["total", sum(int(r["score"]) for r in rows)])',
      CELL,
    );
    expect(result.error).toBeNull();
    expect(
      result.outputFiles.map((file) => [file.name, file.mimeType, file.bytes.toString('utf8')]),
    ).toEqual([['total.csv', 'text/csv', 'total,8\r\n']]);
  });

  it('has only the standard library, and fetches nothing', async () => {
    expect((await session.runCell('import numpy', CELL)).error?.name).toBe('ModuleNotFoundError');
    expect((await session.runCell('import micropip', CELL)).error?.name).toBe(
      'ModuleNotFoundError',
    );
  });

  it('cannot read host files, not even through the JavaScript bridge', async () => {
    const direct = await session.runCell(
      `open(${JSON.stringify(join(dataDir, 'concierge.db'))}).read()`,
      CELL,
    );
    expect(direct.error?.name).toBe('FileNotFoundError');
    const readHostFile = `process.getBuiltinModule('fs').readFileSync(${JSON.stringify(join(dataDir, 'concierge.db'))}, 'utf8')`;
    const bridge = await session.runCell(
      `from pyodide.code import run_js\nrun_js(${JSON.stringify(readHostFile)})`,
      CELL,
    );
    expect(bridge.error?.message).toContain('Access to this API has been restricted');
    expect(bridge.logs).not.toContain('server secrets');
    const spawn = await session.runCell(
      `from pyodide.code import run_js\nrun_js("process.getBuiltinModule('child_process').execSync('id').toString()")`,
      CELL,
    );
    expect(spawn.error?.message).toContain('Access to this API has been restricted');
  });

  it('truncates huge output with a notice', async () => {
    const result = await session.runCell('print("y" * 1_000_000)\nprint("end")', CELL);
    expect(result.logs.length).toBeLessThan(70 * 1024);
    expect(result.logs).toMatch(/\[output truncated: \d+ bytes omitted of 1000005\]/);
    expect(result.logs.endsWith('end\n')).toBe(true);
  });

  it('kills a cell that runs past its timeout; the next cell restarts with files kept', async () => {
    const result = await session.runCell('while True:\n    pass', { timeoutMs: 1000 });
    expect(result).toMatchObject({
      timedOut: true,
      killedReason: 'timeout',
      error: { name: 'TimeoutError' },
    });
    expect(session.alive).toBe(false);
    const after = await session.runCell(
      'import os\nprint(sorted(os.listdir("/mnt/data")))\nrows',
      CELL,
    );
    expect(after.logs).toBe("['input.csv', 'total.csv']\n");
    expect(after.error?.name).toBe('NameError');
  }, 90_000);
});

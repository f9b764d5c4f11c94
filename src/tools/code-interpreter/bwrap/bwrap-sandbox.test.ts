import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellCancellationCases } from '../../../../test/helpers/cell-cancellation.ts';
import {
  bwrapAvailable,
  makeDataDir,
  removeDataDir,
  tryBwrapSandbox,
} from '../../../../test/helpers/sandbox.ts';
import type { Sandbox, SandboxSession } from '../sandbox.ts';

const CELL = { timeoutMs: 20_000 };

describe.runIf(bwrapAvailable)('bwrap sandbox: sessions, state and files', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let session: SandboxSession;

  beforeAll(async () => {
    dataDir = await makeDataDir();
    sandbox = (await tryBwrapSandbox(dataDir))!;
    session = await sandbox.openSession('thread_files');
  });

  afterAll(async () => {
    await sandbox.close();
    await removeDataDir(dataDir);
  });

  cellCancellationCases(() => sandbox, 'python3');

  it('is a security boundary with every expected library', () => {
    expect(sandbox.kind).toBe('bwrap');
    expect(sandbox.securityBoundary).toBe(true);
    expect(sandbox.missingLibraries).toEqual([]);
    expect(session.directory).toBe(join(dataDir, 'sandboxes', 'thread_files'));
  });

  it('keeps variables across cells and prints a trailing expression', async () => {
    const first = await session.runCell('total = 40\ntotal + 2', CELL);
    expect(first).toMatchObject({ logs: '42\n', error: null, timedOut: false, outputFiles: [] });
    const second = await session.runCell('total += 1\nprint("total is", total)', CELL);
    expect(second.logs).toBe('total is 41\n');
  });

  it('reports an exception with a traceback that points at the cell, and keeps going', async () => {
    const failed = await session.runCell(
      'def divide(a, b):\n    return a / b\ndivide(total, 0)',
      CELL,
    );
    expect(failed.error).toMatchObject({ name: 'ZeroDivisionError', message: 'division by zero' });
    expect(failed.error!.traceback).toContain('line 2, in divide');
    expect(failed.error!.traceback).not.toContain('kernel');
    expect(failed.killedReason).toBeUndefined();
    expect((await session.runCell('total', CELL)).logs).toBe('41\n');
  });

  it('rejects a timeout that is not a positive number instead of killing the session', async () => {
    await expect(session.runCell('1', { timeoutMs: Number.NaN })).rejects.toBeInstanceOf(
      RangeError,
    );
    await expect(session.runCell('1', { timeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
    expect((await session.runCell('total', CELL)).logs).toBe('41\n');
  });

  it('reports a syntax error without running anything', async () => {
    const result = await session.runCell('total = 0\nif True print(1)', CELL);
    expect(result.error?.name).toBe('SyntaxError');
    expect((await session.runCell('total', CELL)).logs).toBe('41\n');
  });

  it('reads an input file at /mnt/data and returns CSV, XLSX and a matplotlib PNG as output files', async () => {
    await session.putFile('sales.csv', Buffer.from('month,amount\njan,10\nfeb,25\nmar,17\n'));
    const result = await session.runCell(
      [
        'import pandas as pd, matplotlib.pyplot as plt',
        'df = pd.read_csv("/mnt/data/sales.csv")',
        'df["double"] = df.amount * 2',
        'df.to_csv("/mnt/data/doubled.csv", index=False)',
        'df.to_excel("/mnt/data/sales.xlsx", index=False)',
        'plt.bar(df.month, df.amount)',
        'plt.title("Sales")',
        'plt.show()',
        'print(df.amount.sum())',
      ].join('\n'),
      CELL,
    );
    expect(result.error).toBeNull();
    expect(result.logs).toBe('52\n');
    const byName = new Map(result.outputFiles.map((file) => [file.name, file]));
    expect([...byName.keys()].sort()).toEqual(['doubled.csv', 'figure_1.png', 'sales.xlsx']);
    expect(byName.get('doubled.csv')!.bytes.toString('utf8')).toBe(
      'month,amount,double\njan,10,20\nfeb,25,50\nmar,17,34\n',
    );
    expect(byName.get('doubled.csv')!.mimeType).toBe('text/csv');
    const png = byName.get('figure_1.png')!;
    expect(png.mimeType).toBe('image/png');
    expect(png.bytes.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const xlsx = byName.get('sales.xlsx')!;
    expect(xlsx.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const readBack = await session.runCell(
      'import openpyxl\nsheet = openpyxl.load_workbook("sales.xlsx").active\n[c.value for c in sheet[3]]',
      CELL,
    );
    expect(readBack.logs).toBe("['feb', 25, 50]\n");
  });

  it('returns one image per figure: a figure saved and then shown is not saved again', async () => {
    const saved = await session.runCell(
      'import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig("/mnt/data/saved.png")\nplt.show()',
      CELL,
    );
    expect(saved.error).toBeNull();
    expect(saved.outputFiles.map((file) => file.name)).toEqual(['saved.png']);
    const changed = await session.runCell(
      'plt.plot([1, 2])\nplt.savefig("/mnt/data/before.png")\nplt.title("changed after saving")\nplt.show()',
      CELL,
    );
    expect(changed.outputFiles.map((file) => file.name).sort()).toEqual([
      'before.png',
      'figure_2.png',
    ]);
  });

  it('returns only files the cell created or changed', async () => {
    const unchanged = await session.runCell(
      'open("/mnt/data/sales.csv").read().count("\\n")',
      CELL,
    );
    expect(unchanged.outputFiles).toEqual([]);
    const changed = await session.runCell(
      'open("/mnt/data/sales.csv", "a").write("apr,5\\n")',
      CELL,
    );
    expect(changed.outputFiles.map((file) => file.name)).toEqual(['sales.csv']);
  });

  it('never writes an input file through a symlink the code planted', async () => {
    const canary = join(dataDir, 'canary.txt');
    await writeFile(canary, 'host file\n');
    await session.runCell(
      `import os\nos.symlink(${JSON.stringify(canary)}, "/mnt/data/report.csv")`,
      CELL,
    );
    await session.putFile('report.csv', Buffer.from('from the user\n'));
    expect(await readFile(canary, 'utf8')).toBe('host file\n');
    expect(
      (await session.runCell('print(open("/mnt/data/report.csv").read(), end="")', CELL)).logs,
    ).toBe('from the user\n');
  });

  it('ends the processes a cell started when the cell ends', async () => {
    const started = await session.runCell(
      'import subprocess\nserver = subprocess.Popen(["sleep", "600"])\nserver.pid > 0',
      CELL,
    );
    expect(started.logs).toBe('True\n');
    const processes = await session.runCell(
      'import os\nsorted(int(p) for p in os.listdir("/proc") if p.isdigit()) == [1, os.getpid()]',
      CELL,
    );
    expect(processes.logs).toBe('True\n');
  });

  it('ends threads a cell leaves running: the session restarts, nothing runs between cells', async () => {
    const threads = await sandbox.openSession('thread_threads');
    try {
      const joined = await threads.runCell(
        'import threading\nresults = []\nworker = threading.Thread(target=lambda: results.append(1))\nworker.start()\nworker.join()\nresults',
        CELL,
      );
      expect(joined).toMatchObject({ logs: '[1]\n', error: null });
      expect(joined.killedReason).toBeUndefined();
      const left = await threads.runCell(
        [
          'import threading',
          'counter = [0]',
          'def spin():',
          '    while True:',
          '        counter[0] += 1',
          'threading.Thread(target=spin, daemon=True).start()',
          'print("started")',
        ].join('\n'),
        CELL,
      );
      expect(left.killedReason).toBe('threads');
      expect(left.logs).toContain('started\n[concierge] The cell left 1 thread running');
      expect(threads.alive).toBe(false);
      // During a cell, the kernel's own output reader is the only other thread.
      const after = await threads.runCell(
        'import os, threading\nprint(len(os.listdir("/proc/self/task")), [t.name for t in threading.enumerate()])\ncounter',
        CELL,
      );
      expect(after.logs).toBe("2 ['MainThread', 'concierge-capture']\n");
      expect(after.error?.name).toBe('NameError');
    } finally {
      await threads.close();
    }
  });

  it('rejects input file names that would leave /mnt/data', async () => {
    await expect(session.putFile('../escape.txt', Buffer.from('x'))).rejects.toThrow(
      /Invalid sandbox file name/,
    );
    await expect(session.putFile('.hidden', Buffer.from('x'))).rejects.toThrow(
      /Invalid sandbox file name/,
    );
  });

  it('gives a second session its own /mnt/data and no view of the first', async () => {
    const other = await sandbox.openSession('thread_other');
    try {
      const listing = await other.runCell('import os\nsorted(os.listdir("/mnt/data"))', CELL);
      expect(listing.logs).toBe('[]\n');
      const byPath = await other.runCell(
        `open(${JSON.stringify(join(session.directory, 'sales.csv'))}).read()`,
        CELL,
      );
      expect(byPath.error?.name).toBe('FileNotFoundError');
      const byParent = await other.runCell(
        'open("/mnt/data/../thread_files/sales.csv").read()',
        CELL,
      );
      expect(byParent.error?.name).toBe('FileNotFoundError');
      expect((await other.runCell('total', CELL)).error?.name).toBe('NameError');
    } finally {
      await other.close();
    }
  });

  it('deletes the session directory on close', async () => {
    const temporary = await sandbox.openSession('thread_closing');
    await temporary.runCell('open("/mnt/data/a.txt", "w").write("a")', CELL);
    await temporary.close();
    await expect(stat(temporary.directory)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(temporary.alive).toBe(false);
    await expect(temporary.runCell('1', CELL)).rejects.toThrow(/closed/);
  });
});

describe.runIf(bwrapAvailable)('bwrap sandbox: where the data dir is', () => {
  it('runs jails for a data dir whose parent is private (0700, like a home directory)', async () => {
    const parent = await makeDataDir();
    try {
      await chmod(parent, 0o700);
      const dataDir = join(parent, 'home', 'concierge');
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      const sandbox = (await tryBwrapSandbox(dataDir))!;
      try {
        expect(sandbox.kind).toBe('bwrap');
        const session = await sandbox.openSession('thread_private_parent');
        await session.putFile('input.txt', Buffer.from('from the host'));
        const result = await session.runCell(
          'open("/mnt/data/out.txt", "w").write(open("/mnt/data/input.txt").read().upper())',
          CELL,
        );
        expect(result.error).toBeNull();
        expect(await readFile(join(session.directory, 'out.txt'), 'utf8')).toBe('FROM THE HOST');
      } finally {
        await sandbox.close();
      }
    } finally {
      await removeDataDir(parent);
    }
  });
});

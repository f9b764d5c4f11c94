/**
 * code_interpreter benchmark: cold session start, warm cell latency and a pandas + matplotlib chart
 * cell, against the cost of starting a bare `/usr/bin/python3 -c pass`, all measured in this run.
 *
 *   node --import tsx bench/code-interpreter.ts [--cells 200] [--pyodide]
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBwrapSandbox } from '../src/tools/code-interpreter/bwrap/bwrap-sandbox.ts';
import { createPyodideSandbox } from '../src/tools/code-interpreter/pyodide/pyodide-sandbox.ts';
import type { Sandbox } from '../src/tools/code-interpreter/sandbox.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '200' },
    pyodide: { type: 'boolean', default: false },
  },
});
const CELLS = Number(values.cells);
const CELL = { timeoutMs: 60_000 };
const CHART = [
  'import numpy as np, pandas as pd, matplotlib.pyplot as plt',
  'df = pd.DataFrame({"x": np.arange(100), "y": np.random.default_rng(1).normal(size=100).cumsum()})',
  'df.to_csv("/mnt/data/series.csv", index=False)',
  'df.plot(x="x", y="y")',
  'plt.savefig("/mnt/data/series.png")',
  'plt.close("all")',
].join('\n');

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)]!;
}

async function time(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function repeat(count: number, work: () => Promise<unknown> | unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) samples.push(await time(work));
  return samples;
}

const rows: Array<[string, number, string]> = [];
function report(name: string, milliseconds: number, note = ''): void {
  rows.push([name, milliseconds, note]);
}

async function measureSandbox(
  label: string,
  sandbox: Sandbox,
  starts: number,
  withChart: boolean,
): Promise<void> {
  let counter = 0;
  const cold = await repeat(starts, async () => {
    const session = await sandbox.openSession(`bench_cold_${counter++}`);
    await session.close();
  });
  report(`${label}: cold session start (open → ready)`, median(cold), `median of ${starts}`);

  const session = await sandbox.openSession('bench_warm');
  await session.runCell('x = 0', CELL);
  const warm = await repeat(CELLS, () => session.runCell('x += 1', CELL));
  report(`${label}: warm cell \`x += 1\` (median)`, median(warm), `${CELLS} cells`);
  report(`${label}: warm cell \`x += 1\` (p95)`, percentile(warm, 0.95), `${CELLS} cells`);

  if (withChart) {
    const firstChart: number[] = [];
    for (let index = 0; index < 3; index++) {
      const fresh = await sandbox.openSession(`bench_chart_${counter++}`);
      firstChart.push(
        await time(async () => {
          const result = await fresh.runCell(CHART, CELL);
          if (result.error || result.outputFiles.length !== 2)
            throw new Error(`chart cell failed: ${JSON.stringify(result.error)}`);
        }),
      );
      await fresh.close();
    }
    report(
      `${label}: pandas+matplotlib chart cell, first in a session (imports included)`,
      median(firstChart),
      'median of 3',
    );
    await session.runCell(CHART, CELL);
    const warmChart = await repeat(10, () => session.runCell(CHART, CELL));
    report(
      `${label}: pandas+matplotlib chart cell, warm (imports done)`,
      median(warmChart),
      'median of 10',
    );
  }
  await session.close();
}

const dataDir = await mkdtemp(join(tmpdir(), 'concierge-bench-'));
await chmod(dataDir, 0o711);
try {
  const baseline = median(await repeat(20, () => execFileSync('/usr/bin/python3', ['-c', 'pass'])));
  report('baseline: /usr/bin/python3 -c pass (spawn to exit)', baseline, 'median of 20');

  const bwrap = await createBwrapSandbox({ sessionsDirectory: join(dataDir, 'bwrap') });
  await measureSandbox('bwrap', bwrap, 10, true);
  await bwrap.close();

  if (values.pyodide) {
    const pyodide = await createPyodideSandbox({ sessionsDirectory: join(dataDir, 'pyodide') });
    await measureSandbox('pyodide', pyodide, 3, false);
    await pyodide.close();
  }

  const cpu = cpus();
  console.log(
    `code_interpreter benchmark — ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  console.log(
    `${'measurement'.padEnd(78)} ${'ms'.padStart(9)}  ${'× baseline'.padStart(10)}  samples`,
  );
  for (const [name, milliseconds, note] of rows) {
    console.log(
      `${name.padEnd(78)} ${milliseconds.toFixed(2).padStart(9)}  ${(milliseconds / baseline).toFixed(2).padStart(10)}  ${note}`,
    );
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

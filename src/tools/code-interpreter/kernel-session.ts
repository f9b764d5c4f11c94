/**
 * A `SandboxSession` over a kernel child process, shared by both adapters (they differ only in how
 * the process is started). Cells run one at a time; a dead kernel is restarted before the next cell
 * in the same directory, so files survive and variables do not.
 */
import { chmod, chown, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cancelledBeforeStart, cellOutcome } from './cell-outcome.ts';
import { collectOutputFiles, snapshotDirectory } from './collect-output-files.ts';
import { directoryUsage } from './directory-usage.ts';
import type { KernelProcess } from './kernel-process.ts';
import { putSessionFile } from './put-session-file.ts';
import type { CellResult, RunCellOptions, SandboxSession } from './sandbox.ts';
import { dataDirectoryBytes, type SandboxLimits } from './sandbox-limits.ts';

export interface KernelSessionOptions {
  key: string;
  directory: string;
  limits: SandboxLimits;
  /** Spawns a kernel whose first answer is `{"type":"ready"}`. */
  start: () => KernelProcess;
  /** How long a kernel may take to become ready. */
  startTimeoutMs: number;
  /** Host uid that owns the directory and its input files (the jail's uid when the server is root). */
  owner?: number;
  /** Called once, after the session is closed. */
  onClose?: () => void;
}

export class KernelSession implements SandboxSession {
  private kernel: KernelProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly options: KernelSessionOptions) {}

  /** Creates the session directory (kept if it exists) and starts the kernel. */
  static async open(options: KernelSessionOptions): Promise<KernelSession> {
    await mkdir(options.directory, { recursive: true, mode: 0o700 });
    if (options.owner !== undefined) await chown(options.directory, options.owner, options.owner);
    await chmod(options.directory, 0o700);
    const session = new KernelSession(options);
    try {
      await session.startKernel();
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  get key(): string {
    return this.options.key;
  }

  get directory(): string {
    return this.options.directory;
  }

  get alive(): boolean {
    return !this.closed && this.kernel !== undefined && this.kernel.exit === undefined;
  }

  putFile(name: string, bytes: Uint8Array): Promise<void> {
    return this.serialized(() =>
      putSessionFile(this.options.directory, name, bytes, this.options.owner),
    );
  }

  runCell(code: string, options: RunCellOptions): Promise<CellResult> {
    const { signal } = options;
    let begun = false;
    const run = this.serialized(() => {
      begun = true;
      return this.runCellNow(code, options.timeoutMs, signal);
    });
    if (!signal) return run;
    // A cell still waiting for its turn answers at once when cancelled; it is skipped at its turn.
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!begun) resolve(cancelledBeforeStart());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.kernel?.kill();
    await rm(this.options.directory, { recursive: true, force: true });
    this.options.onClose?.();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error(`code session ${this.options.key} is closed`);
      return work();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Checks the directory's size every second while a cell runs, killing the kernel once it is over the limit. */
  private watchDisk(kernel: KernelProcess): { timer: NodeJS.Timeout; exceeded: boolean } {
    let checking = false;
    const watchdog = {
      exceeded: false,
      timer: setInterval(() => {
        if (checking) return;
        checking = true;
        void this.overDiskLimit().then((over) => {
          checking = false;
          if (!over || watchdog.exceeded) return;
          watchdog.exceeded = true;
          return kernel.kill();
        });
      }, 1000),
    };
    return watchdog;
  }

  private async overDiskLimit(): Promise<boolean> {
    const { diskEntries } = this.options.limits;
    const usage = await directoryUsage(this.options.directory, diskEntries);
    return usage.bytes > dataDirectoryBytes(this.options.limits) || usage.entries > diskEntries;
  }

  /** Past the disk limit the files themselves are the problem: the kernel restarts and the files go. */
  private async resetForDisk(kernel: KernelProcess, logs: string): Promise<CellResult> {
    await kernel.kill();
    const names = await readdir(this.options.directory).catch(() => []);
    await Promise.all(
      names.map((name) => rm(join(this.options.directory, name), { recursive: true, force: true })),
    );
    const { diskEntries } = this.options.limits;
    const megabytes = Math.round(dataDirectoryBytes(this.options.limits) / 2 ** 20);
    const message =
      `The files in /mnt/data grew past the session limit (${megabytes} MB or ${diskEntries} files). ` +
      'The Python session was restarted and its files were deleted: variables and files are gone.';
    return {
      logs,
      error: { name: 'ResourceLimitError', message, traceback: '' },
      timedOut: false,
      killedReason: 'disk-limit',
      outputFiles: [],
    };
  }

  /** Starts a kernel; resolves to false when `signal` aborted the start (the kernel is killed). */
  private async startKernel(signal?: AbortSignal): Promise<boolean> {
    const kernel = this.options.start();
    this.kernel = kernel;
    const outcome = await kernel.next(this.options.startTimeoutMs, signal);
    const message =
      outcome.kind === 'message' ? (outcome.message as { type?: unknown }) : undefined;
    if (message?.type === 'ready') return true;
    if (outcome.kind === 'aborted') return false;
    await kernel.kill();
    const detail =
      outcome.kind === 'exit'
        ? outcome.exit.stderrTail.trim() || `exit code ${outcome.exit.code}`
        : outcome.kind;
    throw new Error(`the code sandbox could not start a Python session: ${detail}`);
  }

  private async runCellNow(
    code: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<CellResult> {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
    if (signal?.aborted) return cancelledBeforeStart();
    if (!this.alive && !(await this.startKernel(signal))) return cancelledBeforeStart();
    const kernel = this.kernel!;
    const before = await snapshotDirectory(this.options.directory);
    if (signal?.aborted) return cancelledBeforeStart();
    const id = this.nextId++;
    kernel.send({ id, code, timeout: timeoutMs / 1000 });
    const watchdog = this.watchDisk(kernel);
    // A cancelled cell's kernel is killed at once, with everything it started (see `next`).
    const outcome = await kernel.next(
      timeoutMs + this.options.limits.killGraceSeconds * 1000,
      signal,
    );
    clearInterval(watchdog.timer);
    const result = cellOutcome(outcome, id, timeoutMs);
    // Threads the cell left behind would go on running (and burning CPU) between cells.
    if (result.killedReason === 'threads') await kernel.kill();
    if (watchdog.exceeded || (await this.overDiskLimit()))
      return this.resetForDisk(kernel, result.logs);
    const collected = await collectOutputFiles(this.options.directory, before, {
      maxFiles: this.options.limits.outputFiles,
      maxFileBytes: this.options.limits.fileSizeBytes,
    });
    return {
      ...result,
      logs: withNotices(result.logs, collected.notices),
      outputFiles: collected.files,
    };
  }
}

/** Appends Concierge's notices to the program output, each on its own line. */
function withNotices(logs: string, notices: string[]): string {
  if (notices.length === 0) return logs;
  const separator = logs === '' || logs.endsWith('\n') ? '' : '\n';
  return `${logs}${separator}${notices.join('\n')}\n`;
}

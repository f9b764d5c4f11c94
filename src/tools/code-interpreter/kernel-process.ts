/**
 * The host side of a kernel child process, shared by both adapters: requests are JSON lines on the
 * child's stdin, answers are JSON lines on its fd 3 (so program output on stdout/stderr can never be
 * mistaken for an answer). The child runs in its own process group; `kill` ends the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last few KB the process wrote to stderr, for diagnostics in the server log. */
  stderrTail: string;
}

export type KernelOutcome =
  | { kind: 'message'; message: unknown }
  | { kind: 'timeout' }
  /** The caller's signal aborted the wait (a cancelled run); the process was killed. */
  | { kind: 'aborted' }
  | { kind: 'exit'; exit: KernelExit }
  | { kind: 'protocol'; detail: string };

export interface KernelSpawnOptions {
  /** Bytes written to the child's fds 4, 5, … and then closed (e.g. a seccomp filter for bwrap). */
  extraInputs?: Buffer[];
  environment?: Record<string, string>;
  cwd?: string;
}

const STDERR_TAIL_BYTES = 4096;
/** An answer longer than this is not something our kernels send: the child is treated as broken. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export class KernelProcess {
  private readonly child: ChildProcess;
  private readonly messages: unknown[] = [];
  private waiter: ((outcome: KernelOutcome) => void) | undefined;
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');
  private stderrTail = '';
  private protocolError: string | undefined;
  private exitInfo: KernelExit | undefined;
  private readonly closed: Promise<void>;

  constructor(command: string, args: string[], options: KernelSpawnOptions = {}) {
    const extraInputs = options.extraInputs ?? [];
    this.child = spawn(command, args, {
      detached: true,
      cwd: options.cwd,
      env: options.environment ?? {},
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', ...extraInputs.map(() => 'pipe' as const)],
    });
    extraInputs.forEach((bytes, index) => {
      const stream = this.child.stdio[4 + index] as Writable;
      stream.on('error', () => {});
      stream.end(bytes);
    });
    this.child.stdin!.on('error', () => {});
    this.child.stdout!.resume();
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const answers = this.child.stdio[3] as Readable;
    answers.on('data', (chunk: Buffer) => this.onAnswerBytes(chunk));
    answers.on('error', () => {});
    this.closed = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitInfo ??= { code, signal, stderrTail: this.stderrTail };
        this.settle({ kind: 'exit', exit: this.exitInfo });
        resolve();
      };
      this.child.on('close', finish);
      this.child.on('error', (error) => {
        this.stderrTail += `\n${error.message}`;
        finish(null, null);
      });
    });
  }

  /** Set once the process has exited and its pipes are closed. */
  get exit(): KernelExit | undefined {
    return this.exitInfo;
  }

  /** Sends one request line. */
  send(message: unknown): void {
    if (this.exitInfo) return;
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /**
   * The next answer, or what happened instead within `timeoutMs`. On timeout, and at once when
   * `signal` aborts, the process is killed.
   */
  async next(timeoutMs: number, signal?: AbortSignal): Promise<KernelOutcome> {
    const queued = this.takeQueued();
    if (queued) return queued;
    const outcome = await new Promise<KernelOutcome>((resolve) => {
      const done = (value: KernelOutcome) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
        resolve(value);
      };
      const onAbort = () => done({ kind: 'aborted' });
      const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
      this.waiter = done;
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (outcome.kind !== 'message' && outcome.kind !== 'exit') await this.kill();
    return outcome;
  }

  /** Kills the whole process group and waits until its pipes are closed. */
  async kill(): Promise<void> {
    if (!this.exitInfo && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await this.closed;
  }

  private takeQueued(): KernelOutcome | undefined {
    if (this.protocolError) return { kind: 'protocol', detail: this.protocolError };
    if (this.messages.length > 0) return { kind: 'message', message: this.messages.shift() };
    if (this.exitInfo) return { kind: 'exit', exit: this.exitInfo };
    return undefined;
  }

  private settle(outcome: KernelOutcome): void {
    if (outcome.kind === 'message') this.messages.push(outcome.message);
    if (outcome.kind === 'protocol') this.protocolError = outcome.detail;
    const waiter = this.waiter;
    if (!waiter) return;
    const queued = this.takeQueued();
    if (queued) waiter(queued);
  }

  private onAnswerBytes(chunk: Buffer): void {
    if (this.protocolError) return;
    this.pending += this.decoder.write(chunk);
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      try {
        this.settle({ kind: 'message', message: JSON.parse(line) });
      } catch {
        this.settle({ kind: 'protocol', detail: 'the kernel sent a line that is not JSON' });
        return;
      }
      newline = this.pending.indexOf('\n');
    }
    if (this.pending.length > MAX_MESSAGE_BYTES)
      this.settle({ kind: 'protocol', detail: 'the kernel sent an oversized answer' });
  }
}

/**
 * The code_interpreter sandbox port. An adapter runs model-written Python in one stateful session
 * per key (the thread id): variables persist across cells, the session's files live in a host
 * directory that the code sees as `/mnt/data`, and files a cell creates or changes come back as bytes.
 *
 * Contract for every adapter: a cell never throws for anything the code does. Errors, timeouts,
 * kills and exhausted limits come back as a `CellResult` the model can read; the next cell of the
 * same session starts a fresh interpreter if the last one died (files kept, variables lost).
 */

/** A file the cell created or changed under `/mnt/data`, read without following symlinks. */
export interface OutputFile {
  /** Path relative to `/mnt/data`, e.g. `chart.png` or `out/report.csv`. */
  name: string;
  bytes: Buffer;
  mimeType: string;
}

/** The uncaught exception of a cell, as Python reports it. */
export interface CellError {
  name: string;
  message: string;
  traceback: string;
}

/**
 * Why the interpreter process ended during the cell; its variables are lost, its files kept (but
 * for `disk-limit`, which deletes them). `threads`: the cell left threads running, and a cell's
 * work must end with the cell. `cancelled`: the cell's signal aborted (its run was cancelled).
 */
export type KilledReason =
  | 'timeout'
  | 'cpu-limit'
  | 'disk-limit'
  | 'exited'
  | 'killed'
  | 'protocol'
  | 'threads'
  | 'cancelled';

export interface CellResult {
  /** Program output, stdout and stderr interleaved; beyond the log limit the middle is cut with a notice. Notes from Concierge (skipped output files) are appended as `[concierge] …` lines. */
  logs: string;
  error: CellError | null;
  outputFiles: OutputFile[];
  /** The cell ran past its timeout (interrupted with variables kept, or killed when it would not stop). */
  timedOut: boolean;
  /** Set when the interpreter process had to be killed or died; the session restarts on the next cell. */
  killedReason?: KilledReason;
}

export interface RunCellOptions {
  /** Wall-clock limit for the cell. Past it the cell is interrupted, and killed if it does not stop soon after. */
  timeoutMs: number;
  /**
   * Stops the cell when it aborts (its run was cancelled or handed back). While the cell runs, the
   * interpreter and everything it started are killed at once and the result says so
   * (`killedReason: 'cancelled'`; the next cell starts a fresh interpreter, files kept). A cell
   * still waiting for its turn, or aborted before it began, does not run (error `CancelledError`,
   * the session as it was).
   */
  signal?: AbortSignal;
}

/** One stateful Python session. Cells of one session run one at a time, in call order. */
export interface SandboxSession {
  readonly key: string;
  /** Host directory mounted as `/mnt/data`. */
  readonly directory: string;
  /** False once the interpreter died (killed, timed out hard, exited); the next cell restarts it. */
  readonly alive: boolean;
  /** Writes `/mnt/data/<name>`, replacing any file or symlink of that name (never writing through it). */
  putFile(name: string, bytes: Uint8Array): Promise<void>;
  /** Runs one cell. Resolves for every outcome of the code; rejects only when the sandbox itself cannot start. */
  runCell(code: string, options: RunCellOptions): Promise<CellResult>;
  /** Stops the interpreter and everything it started, and deletes the session directory. */
  close(): Promise<void>;
}

/** A sandbox backend. */
export interface Sandbox {
  readonly kind: 'bwrap' | 'pyodide';
  /** Whether this backend isolates untrusted code from the host (Pyodide in Node does not). */
  readonly securityBoundary: boolean;
  /** Libraries the model expects (numpy, pandas, matplotlib, openpyxl) that this backend lacks. */
  readonly missingLibraries: readonly string[];
  /** Parent of every session directory (`<dataDir>/sandboxes`). */
  readonly sessionsDirectory: string;
  /** Starts a session whose directory is `<sessionsDirectory>/<key>`; existing files there are kept. */
  openSession(key: string): Promise<SandboxSession>;
  /** Closes every session this sandbox opened. */
  close(): Promise<void>;
}

/** The logger the sandbox writes to (pino's and Fastify's loggers fit). */
export interface SandboxLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Session keys become directory names: thread ids and similar, nothing that could climb out. */
export const SESSION_KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

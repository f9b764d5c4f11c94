/**
 * Resource limits of a code session. The defaults fit the 2-core / 24 GiB machines this project
 * targets: a session's kernel needs about 100 MB with pandas and matplotlib loaded.
 */
export interface SandboxLimits {
  /** Address-space limit per process (RLIMIT_AS). 1 GiB leaves room for pandas; allocations beyond fail with MemoryError. */
  memoryBytes: number;
  /** CPU seconds per process over its whole life (RLIMIT_CPU): a session budget, not a per-cell limit. */
  cpuSeconds: number;
  /** Largest file one write may grow to (RLIMIT_FSIZE); also the cap on one returned output file. */
  fileSizeBytes: number;
  /** Processes and threads per session (RLIMIT_NPROC); stops fork bombs. */
  processes: number;
  /** Open files per process (RLIMIT_NOFILE). */
  openFiles: number;
  /** Size of the private `/tmp` in the jail. */
  tmpBytes: number;
  /** Total bytes in a session's /mnt/data; past it the session is reset and its files deleted. */
  diskBytes: number;
  /** Total files and folders in a session's /mnt/data, with the same consequence. */
  diskEntries: number;
  /** Program output kept per cell; the middle beyond this is cut with a notice. */
  logBytes: number;
  /** Most output files returned by one cell. */
  outputFiles: number;
  /** Seconds a cell may run past its timeout after the soft interrupt before the whole session is killed. */
  killGraceSeconds: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  memoryBytes: 1024 * 1024 * 1024,
  cpuSeconds: 600,
  fileSizeBytes: 64 * 1024 * 1024,
  processes: 64,
  openFiles: 256,
  tmpBytes: 64 * 1024 * 1024,
  diskBytes: 1024 * 1024 * 1024,
  diskEntries: 10_000,
  logBytes: 64 * 1024,
  outputFiles: 20,
  killGraceSeconds: 2,
};

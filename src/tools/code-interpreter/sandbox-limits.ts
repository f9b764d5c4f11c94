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
  /** Size of the private `/tmp` (also `HOME`) in the jail: a fixed slice of `diskBytes`. */
  tmpBytes: number;
  /** Size of the jail's `/dev/shm` (POSIX shared memory, multiprocessing locks): a fixed slice of `diskBytes`. */
  shmBytes: number;
  /**
   * Everything a session may write, over all its writable places: `/tmp` and `/dev/shm` are
   * size-capped filesystems taking `tmpBytes` and `shmBytes` of it, `/mnt/data` gets the rest; past
   * that the session is reset and its files deleted. Nothing else in the jail is writable.
   */
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
  shmBytes: 16 * 1024 * 1024,
  diskBytes: 1024 * 1024 * 1024,
  diskEntries: 10_000,
  logBytes: 64 * 1024,
  outputFiles: 20,
  killGraceSeconds: 2,
};

/** Bytes `/mnt/data` may hold: what the session's disk limit leaves after its fixed-size tmpfs mounts. */
export function dataDirectoryBytes(limits: SandboxLimits): number {
  return limits.diskBytes - limits.tmpBytes - limits.shmBytes;
}

/** Throws a `RangeError` when the limits leave `/mnt/data` no room. */
export function checkSandboxLimits(limits: SandboxLimits): SandboxLimits {
  if (dataDirectoryBytes(limits) <= 0)
    throw new RangeError(
      `sandbox diskBytes (${limits.diskBytes}) must exceed tmpBytes + shmBytes (${limits.tmpBytes + limits.shmBytes})`,
    );
  return limits;
}

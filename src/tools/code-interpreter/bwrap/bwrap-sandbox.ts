/**
 * The bwrap backend: Debian's /usr/bin/python3 with numpy, pandas, matplotlib and openpyxl, one
 * long-lived kernel per session inside a bubblewrap jail with a seccomp filter and rlimits (see
 * jail-command.ts). Creating the sandbox probes the host once by starting a real jail, so a host that
 * cannot run it fails here with a reason rather than on a user's first cell.
 */
import { execFile } from 'node:child_process';
import { access, chmod, chown, mkdir, rm } from 'node:fs/promises';
import { constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KernelProcess } from '../kernel-process.ts';
import { KernelSession } from '../kernel-session.ts';
import { SESSION_KEY_PATTERN, type Sandbox, type SandboxLog } from '../sandbox.ts';
import {
  checkSandboxLimits,
  DEFAULT_SANDBOX_LIMITS,
  type SandboxLimits,
} from '../sandbox-limits.ts';
import { EXPECTED_LIBRARIES, SandboxUnavailableError } from '../sandbox-unavailable-error.ts';
import { HostUidPool } from './host-uid-pool.ts';
import { jailCommand, type JailTools } from './jail-command.ts';
import { compileSeccompFilter } from './seccomp-filter.ts';

const KERNEL_SOURCE = readFileSync(new URL('./kernel.py', import.meta.url), 'utf8');
/** Debian's interpreter: the PATH `python3` may be another build without Debian's packages. */
const DEBIAN_PYTHON = '/usr/bin/python3';
const PROBE_SOURCE = `
import os, socket
import ${EXPECTED_LIBRARIES.join(', ')}
try:
    socket.socket(socket.AF_INET)
except PermissionError:
    pass
else:
    raise SystemExit("the seccomp filter is not active")
open("/mnt/data/probe", "w").write("ok")
os.write(3, b'{"type":"ready"}\\n')
`;

export interface BwrapSandboxOptions {
  /** Parent of the session directories, e.g. `<dataDir>/sandboxes`. */
  sessionsDirectory: string;
  log?: SandboxLog;
  limits?: Partial<SandboxLimits>;
  /** First host uid for jails when the server runs as root. */
  hostUidBase?: number;
  /** How long a kernel may take to start (default 30 s; a loaded machine is slow). */
  startTimeoutMs?: number;
}

/** Creates the bwrap sandbox, or throws `SandboxUnavailableError` saying why this host cannot run it. */
export async function createBwrapSandbox(options: BwrapSandboxOptions): Promise<Sandbox> {
  const limits = checkSandboxLimits({ ...DEFAULT_SANDBOX_LIMITS, ...options.limits });
  const tools = await findTools();
  const missingLibraries = await findMissingLibraries();
  if (missingLibraries.length > 0) {
    throw new SandboxUnavailableError(
      `${DEBIAN_PYTHON} lacks ${missingLibraries.join(', ')} (run scripts/install-system-packages.sh)`,
      missingLibraries,
    );
  }
  const seccompFilter = await compileSeccompFilter(DEBIAN_PYTHON).catch((error: Error) => {
    throw new SandboxUnavailableError(error.message);
  });
  const uidPool = process.getuid?.() === 0 ? new HostUidPool(options.hostUidBase) : undefined;
  await mkdir(options.sessionsDirectory, { recursive: true });
  // Jails reach their own directory through a private bind mount (jail-command.ts), never by path.
  if (uidPool) await chmod(options.sessionsDirectory, 0o700);
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const spawnKernel = (
    directory: string,
    hostUid: number | undefined,
    source = KERNEL_SOURCE,
  ): KernelProcess => {
    const [command, ...args] = jailCommand({
      tools,
      kernelSource: source,
      sessionDirectory: directory,
      hostUid,
      limits,
      seccomp: true,
    });
    return new KernelProcess(command!, args, { extraInputs: [seccompFilter] });
  };

  await probeJail(options.sessionsDirectory, uidPool, startTimeoutMs, (directory, uid) =>
    spawnKernel(directory, uid, PROBE_SOURCE),
  );

  const sessions = new Set<KernelSession>();
  return {
    kind: 'bwrap',
    securityBoundary: true,
    missingLibraries: [],
    sessionsDirectory: options.sessionsDirectory,
    async openSession(key) {
      if (!SESSION_KEY_PATTERN.test(key)) throw new Error(`invalid code session key '${key}'`);
      const owner = uidPool?.take();
      const directory = join(options.sessionsDirectory, key);
      const session = await KernelSession.open({
        key,
        directory,
        limits,
        owner,
        startTimeoutMs,
        start: () => spawnKernel(directory, owner),
        onClose: () => {
          sessions.delete(session);
          if (owner !== undefined) uidPool?.release(owner);
        },
      }).catch((error: unknown) => {
        if (owner !== undefined) uidPool?.release(owner);
        throw error;
      });
      sessions.add(session);
      return session;
    },
    async close() {
      await Promise.all([...sessions].map((session) => session.close()));
    },
  };
}

async function findExecutable(name: string): Promise<string> {
  for (const directory of ['/usr/bin', '/bin', '/usr/sbin']) {
    const path = join(directory, name);
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  throw new SandboxUnavailableError(
    `${name} is not installed (run scripts/install-system-packages.sh)`,
  );
}

async function findTools(): Promise<JailTools> {
  const [bwrap, setpriv, prlimit, unshare, mount, shell] = await Promise.all([
    findExecutable('bwrap'),
    findExecutable('setpriv'),
    findExecutable('prlimit'),
    findExecutable('unshare'),
    findExecutable('mount'),
    findExecutable('sh'),
  ]);
  if (
    !(await access(DEBIAN_PYTHON, constants.X_OK).then(
      () => true,
      () => false,
    ))
  ) {
    throw new SandboxUnavailableError(
      `${DEBIAN_PYTHON} is not installed (run scripts/install-system-packages.sh)`,
      [...EXPECTED_LIBRARIES],
    );
  }
  return { bwrap, setpriv, prlimit, unshare, mount, shell, python: DEBIAN_PYTHON };
}

async function findMissingLibraries(): Promise<string[]> {
  const check = `import importlib.util as u; print(",".join(m for m in ${JSON.stringify(EXPECTED_LIBRARIES)} if u.find_spec(m) is None))`;
  return new Promise((resolve) => {
    execFile(DEBIAN_PYTHON, ['-I', '-c', check], { env: {}, timeout: 30_000 }, (error, stdout) => {
      if (error) resolve([...EXPECTED_LIBRARIES]);
      else
        resolve(
          stdout
            .trim()
            .split(',')
            .filter((name) => name !== ''),
        );
    });
  });
}

/** Starts one real jail that imports the libraries and writes to /mnt/data, then removes its directory. */
async function probeJail(
  sessionsDirectory: string,
  uidPool: HostUidPool | undefined,
  startTimeoutMs: number,
  spawnProbe: (directory: string, uid: number | undefined) => KernelProcess,
): Promise<void> {
  const directory = join(sessionsDirectory, `.probe-${process.pid}`);
  const uid = uidPool?.take();
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    if (uid !== undefined) await chown(directory, uid, uid);
    const probe = spawnProbe(directory, uid);
    const outcome = await probe.next(startTimeoutMs);
    await probe.kill();
    if (outcome.kind === 'message') return;
    const detail =
      outcome.kind === 'exit'
        ? outcome.exit.stderrTail.trim() || `exit code ${outcome.exit.code}`
        : 'it did not answer in time';
    throw new SandboxUnavailableError(`bwrap could not start a jail: ${detail}`);
  } finally {
    await rm(directory, { recursive: true, force: true });
    if (uid !== undefined) uidPool?.release(uid);
  }
}

/**
 * The command line that starts one session's kernel in the jail:
 *
 *   setpriv (die with the server; as root: switch to the session's own host uid)
 *   → prlimit (memory, CPU, file size, processes, open files, no core dumps)
 *   → bwrap (new user/pid/net/ipc/uts/cgroup namespaces, read-only /usr, the session directory as
 *     /mnt/data, a size-capped /tmp, uid 65534 inside, no capabilities, no nested user namespaces,
 *     seccomp filter from fd 4)
 *   → /usr/bin/python3 -I -u kernel.py
 *
 * Each session gets its own host uid when the server is root because RLIMIT_NPROC counts per host
 * uid: with one shared uid, a fork bomb in one session would starve every other session, and a
 * root-mapped jail is exempt from the limit altogether.
 */
import type { SandboxLimits } from '../sandbox-limits.ts';

export interface JailTools {
  setpriv: string;
  prlimit: string;
  bwrap: string;
  python: string;
}

export interface JailOptions {
  tools: JailTools;
  kernelSource: string;
  /** Host directory mounted read-write as /mnt/data. */
  sessionDirectory: string;
  /** Host uid (and gid) the jail runs as; unset runs it as the server's own user. */
  hostUid?: number;
  limits: SandboxLimits;
  /** Whether a seccomp filter is written to the child's fd 4. */
  seccomp: boolean;
}

/** The argv (command first) that starts a kernel for `options`. */
export function jailCommand(options: JailOptions): string[] {
  const { tools, limits } = options;
  const identity =
    options.hostUid === undefined
      ? []
      : [`--reuid=${options.hostUid}`, `--regid=${options.hostUid}`, '--clear-groups'];
  return [
    tools.setpriv,
    '--pdeathsig',
    'KILL',
    ...identity,
    '--',
    tools.prlimit,
    `--as=${limits.memoryBytes}`,
    `--cpu=${limits.cpuSeconds}`,
    `--fsize=${limits.fileSizeBytes}`,
    `--nproc=${limits.processes}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
    tools.bwrap,
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--ro-bind-try',
    '/etc/alternatives',
    '/etc/alternatives',
    '--ro-bind-try',
    '/etc/fonts',
    '/etc/fonts',
    '--ro-bind-try',
    '/etc/matplotlibrc',
    '/etc/matplotlibrc',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(limits.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--perms',
    '0700',
    '--dir',
    '/tmp/matplotlib',
    '--bind',
    options.sessionDirectory,
    '/mnt/data',
    '--chdir',
    '/mnt/data',
    '--clearenv',
    '--setenv',
    'HOME',
    '/tmp',
    '--setenv',
    'PATH',
    '/usr/bin',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--setenv',
    'MPLBACKEND',
    'Agg',
    '--setenv',
    'MPLCONFIGDIR',
    '/tmp/matplotlib',
    '--setenv',
    'XDG_CACHE_HOME',
    '/tmp',
    '--setenv',
    'OPENBLAS_NUM_THREADS',
    '1',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--cap-drop',
    'ALL',
    '--remount-ro',
    '/',
    ...(options.seccomp ? ['--seccomp', '4'] : []),
    '--',
    tools.python,
    '-I',
    '-u',
    '-c',
    options.kernelSource,
    String(limits.logBytes),
  ];
}

/**
 * The command line that starts one session's kernel in the jail:
 *
 *   (as root) unshare + sh: a private mount namespace where the session directory is bind-mounted
 *     on `/mnt`, so the jail's uid reaches it whatever the modes of the data dir's parents
 *   setpriv (die with the server; as root: switch to the session's own host uid)
 *   → prlimit (memory, CPU, file size, processes, open files, no core dumps)
 *   → bwrap (new user/pid/net/ipc/uts/cgroup namespaces, read-only /usr, the session directory as
 *     /mnt/data, size-capped /tmp and /dev/shm, the rest of /dev read-only, uid 65534 inside, no
 *     capabilities, no nested user namespaces, seccomp filter from fd 4)
 *   → /usr/bin/python3 -I -u kernel.py
 *
 * Each session gets its own host uid when the server is root because RLIMIT_NPROC counts per host
 * uid: with one shared uid, a fork bomb in one session would starve every other session, and a
 * root-mapped jail is exempt from the limit altogether.
 *
 * Why the private mount namespace: bwrap resolves a bind source (even `--bind-fd`, through
 * realpath) with the jail's credentials, so a data dir under a 0700 parent (a home directory, a
 * `mktemp -d`) is out of reach of every jail uid. The root-only step in front makes the directory
 * visible at `/mnt` in a namespace of the jail's own, and nothing outside it changes.
 */
import type { SandboxLimits } from '../sandbox-limits.ts';

export interface JailTools {
  /** unshare, mount and sh: used only when the server is root (`hostUid` set). */
  unshare: string;
  mount: string;
  shell: string;
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

/** Where the session directory is bind-mounted, in the launcher's private mount namespace. */
const MOUNT_DOOR = '/mnt';

/** The argv (command first) that starts a kernel for `options`. */
export function jailCommand(options: JailOptions): string[] {
  const { tools, limits } = options;
  const asRoot = options.hostUid !== undefined;
  const identity = asRoot
    ? [`--reuid=${options.hostUid}`, `--regid=${options.hostUid}`, '--clear-groups']
    : [];
  const door = asRoot
    ? [
        tools.unshare,
        '--mount',
        '--propagation',
        'private',
        '--',
        tools.shell,
        '-c',
        `${tools.mount} --bind -- "$1" ${MOUNT_DOOR} && shift && exec "$@"`,
        'concierge-jail',
        options.sessionDirectory,
      ]
    : [];
  return [
    ...door,
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
    '--msgqueue=0',
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
    // bwrap's /dev is a tmpfs owned by the jail's uid: only a size-capped /dev/shm stays writable.
    '--perms',
    '01777',
    '--size',
    String(limits.shmBytes),
    '--tmpfs',
    '/dev/shm',
    '--remount-ro',
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
    asRoot ? MOUNT_DOOR : options.sessionDirectory,
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

/**
 * The processes descended from a pid, read from /proc: how a test sees which sandbox processes an
 * in-process server has running (bwrap jails, Pyodide children and everything they started). Tests
 * run in forked workers, so the descendants of `process.pid` are this test file's own.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  parent: number;
  /** The command name (`/proc/<pid>/comm`), e.g. `python3`, `bwrap`, `node`. */
  command: string;
  /** The state letter: R, S, D, Z (a zombie: ended, not yet reaped by its parent)… */
  state: string;
}

function readEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    const [state, parent] = stat
      .slice(close + 2)
      .split(' ')
      .slice(0, 2);
    return { pid, parent: Number(parent), command, state: state! };
  } catch {
    return undefined; // ended while the table was read
  }
}

/** Every live process below `root`, zombies (ended, not reaped yet) left out. */
export function descendants(root = process.pid): ProcessEntry[] {
  const entries = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readEntry(Number(name)) ?? []);
  const below = new Set([root]);
  // Parents may have higher pids than their children (pids wrap), so repeat until nothing changes.
  for (let grown = true; grown;) {
    grown = false;
    for (const entry of entries)
      if (below.has(entry.parent) && !below.has(entry.pid)) {
        below.add(entry.pid);
        grown = true;
      }
  }
  return entries.filter(
    (entry) => entry.pid !== root && below.has(entry.pid) && entry.state !== 'Z',
  );
}

/** The live processes below this process that were not among `before`. */
export function startedSince(before: readonly ProcessEntry[]): ProcessEntry[] {
  return descendants().filter((entry) => !before.some((old) => old.pid === entry.pid));
}

/** Whether `pid` is a live process (a zombie counts as ended). */
export function isAlive(pid: number): boolean {
  const entry = readEntry(pid);
  return entry !== undefined && entry.state !== 'Z';
}

/**
 * The processes still running, of `running` and of those started since `before`, once they ended or
 * `withinMs` passed. A killed jail ends in steps (its launcher, then its pid namespace's init and
 * the processes inside, each closing its files before it is gone): its pids go within moments.
 */
export async function leftRunning(
  running: readonly ProcessEntry[],
  before: readonly ProcessEntry[],
  withinMs = 10_000,
): Promise<ProcessEntry[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = [
      ...running.filter((entry) => isAlive(entry.pid)),
      ...startedSince(before).filter((entry) => !running.some((old) => old.pid === entry.pid)),
    ];
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

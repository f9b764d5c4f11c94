/** A process's CPU time, read from `/proc/<pid>/stat` (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds of a Linux clock tick (USER_HZ is 100). */
const TICK_MS = 10;

/** utime + stime of a `/proc/…/stat` line, in milliseconds. */
function statMilliseconds(stat: string): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** The CPU time (user + system) a process has used so far, in milliseconds (10 ms steps). */
export function cpuMilliseconds(pid: number): number {
  return statMilliseconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * The CPU time of a process's main thread (where a Node process runs JavaScript and, on SQLite, its
 * queries) and of its other threads together (V8's optimizing compiler and garbage collector helpers,
 * libuv's pool), in milliseconds. A thread that ended is no longer counted.
 */
export function threadCpuMilliseconds(pid: number): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    let used: number;
    try {
      used = statMilliseconds(readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8'));
    } catch {
      continue; // ended meanwhile
    }
    if (thread === String(pid)) main += used;
    else other += used;
  }
  return { main, other };
}

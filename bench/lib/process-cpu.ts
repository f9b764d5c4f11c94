/** A process's CPU time, read from `/proc/<pid>/stat` (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds of a Linux clock tick (USER_HZ is 100). */
const TICK_MS = 10;

/** utime and stime of a `/proc/…/stat` line, in milliseconds. */
function statSplit(stat: string): { user: number; system: number } {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * TICK_MS, system: Number(fields[12]) * TICK_MS };
}

/**
 * The read and write system calls (`read`, `recv*`, `write`, `writev`, `send*`) a process has made so
 * far, from `/proc/<pid>/io` (Linux only): on a loopback deployment each round trip to the database or
 * to a client costs a socket write and a read on both ends, whatever its size.
 */
export function ioSystemCalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? 0);
  return { reads: field('syscr'), writes: field('syscw') };
}

/** utime + stime of a `/proc/…/stat` line, in milliseconds. */
function statMilliseconds(stat: string): number {
  const { user, system } = statSplit(stat);
  return user + system;
}

/** The CPU time (user + system) a process has used so far, in milliseconds (10 ms steps). */
export function cpuMilliseconds(pid: number): number {
  return statMilliseconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** The CPU time a process has used so far in user space and in the kernel, in milliseconds. */
export function cpuSplitMilliseconds(pid: number): { user: number; system: number } {
  return statSplit(readFileSync(`/proc/${pid}/stat`, 'utf8'));
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

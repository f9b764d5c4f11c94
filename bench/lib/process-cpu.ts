/** A process's CPU time, read from `/proc/<pid>/stat` (Linux only). */
import { readFileSync } from 'node:fs';

/** Milliseconds of a Linux clock tick (USER_HZ is 100). */
const TICK_MS = 10;

/** The CPU time (user + system) a process has used so far, in milliseconds (10 ms steps). */
export function cpuMilliseconds(pid: number): number {
  const { user, system } = cpuSplitMilliseconds(pid);
  return user + system;
}

/** The CPU time a process has used so far in user space and in the kernel, in milliseconds. */
export function cpuSplitMilliseconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
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

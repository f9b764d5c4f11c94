/** A process's CPU time, read from `/proc/<pid>/stat` (Linux only). */
import { readFileSync } from 'node:fs';

/** Milliseconds of a Linux clock tick (USER_HZ is 100). */
const TICK_MS = 10;

/** The CPU time (user + system) a process has used so far, in milliseconds (10 ms steps). */
export function cpuMilliseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

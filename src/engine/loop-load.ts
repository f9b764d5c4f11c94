/**
 * How busy this process's event loop is, for admission: a worker takes on new runs only while the
 * loop has room, so the token streams of runs already going are not starved by the setup of new
 * ones (the bound is the CPU, not a fixed count). Sampled every `windowMs` from Node's event-loop
 * utilization; each window also has a budget of new runs to start, so a burst of creations is
 * spread over windows instead of landing in one.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface LoopLoad {
  /** Whether one more run may start now (and counts it against this window's budget). */
  admit(): boolean;
  /** Called at the end of a window in which `admit` said no: there may be work to take now. */
  onRoom(listener: () => void): void;
  stop(): void;
}

export interface LoopLoadOptions {
  windowMs?: number;
  /** Utilization (0–1) above which no new run starts. */
  saturated?: number;
  /** New runs per window. */
  startsPerWindow?: number;
}

export function watchLoopLoad(options: LoopLoadOptions = {}): LoopLoad {
  const windowMs = options.windowMs ?? 50;
  const saturated = options.saturated ?? 0.9;
  // About what the cores can set up in a window while streams keep flowing.
  const budget = options.startsPerWindow ?? Math.max(2, availableParallelism() * 4);
  let last = performance.eventLoopUtilization();
  let busy = false;
  let started = 0;
  let refused = false;
  const listeners: Array<() => void> = [];
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    busy = performance.eventLoopUtilization(now, last).utilization > saturated;
    last = now;
    started = 0;
    if (refused && !busy) {
      refused = false;
      for (const listener of listeners) listener();
    }
  }, windowMs);
  timer.unref();
  return {
    admit() {
      if (busy || started >= budget) {
        refused = true;
        return false;
      }
      started += 1;
      return true;
    },
    onRoom: (listener) => void listeners.push(listener),
    stop: () => clearInterval(timer),
  };
}

/**
 * How many new runs this process starts, for admission: a worker takes on new runs only while the
 * event loop keeps up, so the token streams of runs already going are not starved by the setup of new
 * ones (the bound is the CPU, not a fixed count). Time is cut into windows (`windowMs`), each with a
 * budget of new runs; at a window's end, how late the loop ran its timer (the delay a stream's next
 * token met, since setups take one loop turn each: see setup-turns.ts) sets the next window:
 * - late (over `lateMs`): no run starts in the next window, and if runs started in this one, the
 *   budget halves (their setup, or their streams, are what slowed the loop);
 * - on time, after the budget ran out: the budget doubles, up to `maxStartsPerWindow`;
 * - otherwise the budget stays.
 * A busy loop that still answers on time is not a reason to wait: setups interleave with the streams,
 * so a burst of creations is admitted as fast as the CPU absorbs it, and no faster.
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

export interface AdmissionOptions {
  /** How late (ms) the loop may run a window's timer before new runs wait a window. */
  lateMs?: number;
  /** New runs per window at first. */
  startsPerWindow?: number;
  /** Most new runs per window the budget grows to. */
  maxStartsPerWindow?: number;
}

export interface LoopLoadOptions extends AdmissionOptions {
  windowMs?: number;
  /** The clock, in milliseconds (tests inject one). */
  now?: () => number;
  /** Starts the window timer; returns its stop (tests inject one). */
  every?: (milliseconds: number, tick: () => void) => () => void;
}

/** The admission rule alone, with no clock: `endWindow` is told how late each window ended. */
export class AdmissionBudget {
  private readonly lateMs: number;
  private readonly maximum: number;
  /** New runs the current window may start. */
  budget: number;
  private started = 0;
  private holding = false;
  private refused = false;
  private ranOut = false;

  constructor(options: AdmissionOptions = {}) {
    this.lateMs = options.lateMs ?? 20;
    // About what the cores set up in a window while streams keep flowing; the rule adapts it.
    this.budget = options.startsPerWindow ?? Math.max(2, availableParallelism() * 4);
    this.maximum = Math.max(this.budget, options.maxStartsPerWindow ?? 256);
  }

  /** Whether one more run may start in this window (and counts it). */
  admit(): boolean {
    if (this.holding || this.started >= this.budget) {
      this.refused = true;
      this.ranOut ||= !this.holding;
      return false;
    }
    this.started += 1;
    return true;
  }

  /**
   * Ends a window whose timer the loop ran `lateMs` late, and sets the next window's budget. True
   * when runs were refused and the next window may start some.
   */
  endWindow(lateMs: number): boolean {
    this.holding = lateMs > this.lateMs;
    if (this.holding) {
      if (this.started > 0) this.budget = Math.max(1, Math.floor(this.budget / 2));
    } else if (this.ranOut) this.budget = Math.min(this.maximum, this.budget * 2);
    this.started = 0;
    this.ranOut = false;
    const room = this.refused && !this.holding;
    if (room) this.refused = false;
    return room;
  }
}

function setTimer(milliseconds: number, tick: () => void): () => void {
  const timer = setInterval(tick, milliseconds);
  timer.unref();
  return () => clearInterval(timer);
}

export function watchLoopLoad(options: LoopLoadOptions = {}): LoopLoad {
  const windowMs = options.windowMs ?? 50;
  const now = options.now ?? (() => performance.now());
  const budget = new AdmissionBudget(options);
  const listeners: Array<() => void> = [];
  let due = now() + windowMs;
  const stop = (options.every ?? setTimer)(windowMs, () => {
    const at = now();
    const late = Math.max(0, at - due);
    due = at + windowMs;
    if (budget.endWindow(late)) for (const listener of listeners) listener();
  });
  return {
    admit: () => budget.admit(),
    onRoom: (listener) => void listeners.push(listener),
    stop,
  };
}

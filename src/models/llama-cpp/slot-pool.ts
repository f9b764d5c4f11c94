/**
 * A fixed set of slots (a model's context sequences), each held by one generation at a time. Callers
 * wait in line, first come first served, and leave the line when their signal aborts.
 */
interface Waiter<T> {
  resolve(slot: T): void;
  reject(reason: unknown): void;
  signal: AbortSignal;
  onAbort(): void;
}

export class SlotPool<T> {
  private readonly free: T[];
  private readonly waiters: Waiter<T>[] = [];

  constructor(slots: T[]) {
    this.free = [...slots];
  }

  /** Generations waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** A free slot, or the next one released; rejects with the signal's reason when it aborts first. */
  acquire(signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back: to the first in line, else to the free list. */
  release(slot: T): void {
    const waiter = this.waiters.shift();
    if (!waiter) {
      this.free.push(slot);
      return;
    }
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(slot);
  }
}

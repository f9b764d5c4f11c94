/** Unix time in whole seconds, the unit of every `*_at` field. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Waits `milliseconds`, or rejects with `signal.reason` as soon as `signal` aborts. */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

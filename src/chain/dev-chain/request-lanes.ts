/**
 * The order in which the embedded chain hears requests. EDR executes one request at a time, so a queue
 * in front of it decides who waits: the server's own work (service agents simulating, sending and
 * waiting for receipts) always goes first, and proxied calls from `/v1/chain/rpc` take turns by caller
 * (the caller served longest ago goes next), so one caller's slow calls delay another caller by at
 * most the call that is running. A proxied call whose signal aborts while it waits is dropped without
 * ever reaching the chain.
 */

export interface RequestLanes {
  /** Runs `work` before every waiting proxied call (first come, first served among server work). */
  server<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` when no server work waits, taking turns with other callers' proxied calls. Rejects
   * with the signal's reason, without running `work`, when `signal` aborts before its turn.
   */
  proxied<T>(caller: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

interface Waiting {
  start(): void;
}

/** A caller with calls waiting or running; forgotten when it has neither. */
interface Caller {
  waiting: Waiting[];
  running: number;
  /** When it was last served (a counter); 0 for a caller not served since it last had nothing to do. */
  servedAt: number;
}

export function createRequestLanes(): RequestLanes {
  const serverQueue: Waiting[] = [];
  const callers = new Map<string, Caller>();
  let busy = false;
  let tick = 0;

  function nextProxied(): { name: string; caller: Caller } | undefined {
    let chosen: { name: string; caller: Caller } | undefined;
    for (const [name, caller] of callers) {
      if (caller.waiting.length === 0) continue;
      if (!chosen || caller.servedAt < chosen.caller.servedAt) chosen = { name, caller };
    }
    return chosen;
  }

  function forgetIfIdle(name: string, caller: Caller): void {
    if (caller.waiting.length === 0 && caller.running === 0) callers.delete(name);
  }

  function pump(): void {
    if (busy) return;
    const server = serverQueue.shift();
    if (server) {
      busy = true;
      server.start();
      return;
    }
    const next = nextProxied();
    if (!next) return;
    busy = true;
    next.caller.servedAt = ++tick;
    next.caller.running += 1;
    next.caller.waiting.shift()!.start();
  }

  function enqueue<T>(
    work: () => Promise<T>,
    add: (waiting: Waiting) => void,
    settled: () => void,
    signal?: { signal: AbortSignal; remove(waiting: Waiting): void },
  ): Promise<T> {
    signal?.signal.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        signal!.remove(waiting);
        reject(signal!.signal.reason);
      };
      const waiting: Waiting = {
        start() {
          signal?.signal.removeEventListener('abort', onAbort);
          Promise.resolve()
            .then(work)
            .then(resolve, reject)
            .finally(() => {
              busy = false;
              settled();
              pump();
            });
        },
      };
      signal?.signal.addEventListener('abort', onAbort, { once: true });
      add(waiting);
      pump();
    });
  }

  return {
    server: (work) =>
      enqueue(
        work,
        (waiting) => serverQueue.push(waiting),
        () => {},
      ),
    proxied(name, work, signal) {
      const caller = () => {
        let found = callers.get(name);
        if (!found) callers.set(name, (found = { waiting: [], running: 0, servedAt: 0 }));
        return found;
      };
      return enqueue(
        work,
        (waiting) => caller().waiting.push(waiting),
        () => {
          const found = caller();
          found.running -= 1;
          forgetIfIdle(name, found);
        },
        signal && {
          signal,
          remove(waiting) {
            const found = caller();
            const index = found.waiting.indexOf(waiting);
            if (index >= 0) found.waiting.splice(index, 1);
            forgetIfIdle(name, found);
          },
        },
      );
    },
  };
}

/**
 * Leases on executing service-agent actions, one object per process. A claim (`approved → executing`)
 * takes a lease in this process's name, renewed by a heartbeat while the agent executes; a process
 * that stops renewing (it crashed, or it is closing) lets the lease lapse, and one other party may then
 * take the action over (see `recover-action.ts`).
 */
import { randomBytes } from 'node:crypto';
import type { ActionLease } from '../domain/service-agent.ts';

export interface ActionLeases {
  /** How long a lease lasts without a heartbeat, in milliseconds. */
  readonly durationMs: number;
  /** Unix time in milliseconds (tests pass a clock they move). */
  now(): number;
  /** A fresh lease in this process's name: its holder is unique to one claim or takeover. */
  take(): ActionLease;
  /**
   * Calls `renew` every third of the lease until the returned function is called, or `stop` is.
   * `renew` answers false once the claim is lost; the heartbeat then stops by itself.
   */
  keepAlive(renew: (expiresAtMs: number) => Promise<boolean>): () => void;
  /** Stops every heartbeat of this process (on close; a test simulating a crash). */
  stop(): void;
}

export interface ActionLeaseOptions {
  durationMs: number;
  /** Defaults to a third of `durationMs`. */
  heartbeatMs?: number;
  now?: () => number;
}

export function createActionLeases(options: ActionLeaseOptions): ActionLeases {
  const node = `node_${randomBytes(6).toString('hex')}`;
  const now = options.now ?? (() => Date.now());
  const heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(options.durationMs / 3));
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  return {
    durationMs: options.durationMs,
    now,
    take: () => ({
      holder: `${node}/${randomBytes(6).toString('hex')}`,
      expires_at_ms: now() + options.durationMs,
    }),
    keepAlive(renew) {
      if (stopped) return () => {};
      let renewing = false;
      const beat = async () => {
        if (renewing) return;
        renewing = true;
        try {
          if (!(await renew(now() + options.durationMs))) end();
        } catch {
          // A failed renewal (the database away for a moment) is tried again at the next beat.
        } finally {
          renewing = false;
        }
      };
      const timer = setInterval(() => void beat(), heartbeatMs);
      timer.unref();
      timers.add(timer);
      const end = () => {
        clearInterval(timer);
        timers.delete(timer);
      };
      return end;
    },
    stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      timers.clear();
    },
  };
}

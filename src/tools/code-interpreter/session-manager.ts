/**
 * One code session per key (the thread id) on top of a `Sandbox`: sessions are opened on first use,
 * closed after `idleSeconds` without use (their directories deleted), capped at `maxSessions` in all
 * and `maxSessionsPerProject` per project, and `acquire` says when the key had a session whose
 * state is gone, so the engine can tell the model.
 *
 * Making room is fair between projects: with n projects holding sessions (the asking one counted),
 * each one's fair share is `maxSessions / n`. A project that stays within its share with the new
 * session may evict the least recently used idle session of a project above its share (else one of
 * its own); a project the new session takes past its share evicts only its own. So one project
 * opening many sessions never resets another project's sessions while that project stays within
 * its share.
 *
 * Directories of sessions this process does not hold (left by a crash, or by another worker sharing
 * the data dir) are left alone while fresh, reported as a reset when their key comes back (files
 * kept), and deleted once they are older than the idle time.
 *
 * A key's directory is deleted (a session closed, a stale directory swept) under a claim taken in
 * the same turn as the check that no session uses it; a session opened for the key meanwhile waits
 * for the deletion, so it never loses the directory it opened.
 */
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SESSION_KEY_PATTERN,
  type CellResult,
  type RunCellOptions,
  type Sandbox,
  type SandboxLog,
  type SandboxSession,
} from './sandbox.ts';

export interface CodeSessionManagerOptions {
  sandbox: Sandbox;
  /** Seconds without use after which a session is closed and its files deleted (`codeSessionIdleSeconds`). */
  idleSeconds: number;
  /** Most sessions open at once (`codeMaxSessions`). */
  maxSessions: number;
  /** Most sessions one project holds at once (`codeMaxSessionsPerProject`; default `maxSessions`). */
  maxSessionsPerProject?: number;
  log?: SandboxLog;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
  /** How often idle sessions are swept; `0` turns the timer off (tests call `sweep`). */
  sweepIntervalMs?: number;
}

export interface AcquiredSession {
  session: SandboxSession;
  /** The key had a session before whose variables (and, unless `resetReason` says otherwise, files) are gone. */
  reset: boolean;
  /** A sentence for the model saying what was lost and why; set when `reset` is true. */
  resetReason?: string;
  /** This call opened a new session (it is metered as one code interpreter session). */
  opened?: boolean;
  /**
   * Lets the session be evicted or swept again; for a session acquired with `hold` (a no-op
   * otherwise, and after the first call).
   */
  release(): void;
}

/** Every session is running a cell, so none can make room for a new one. */
export class SandboxCapacityError extends Error {
  override name = 'SandboxCapacityError';
}

interface Entry {
  session: SandboxSession;
  project: string;
  lastUsed: number;
  busy: number;
  /** The session as callers see it: one object for the session's life (see `managed`). */
  view?: SandboxSession;
}

const MAX_TOMBSTONES = 10_000;

export class CodeSessionManager {
  private readonly entries = new Map<string, Entry>();
  /** Sessions being opened, resolving to the reset reason for the key (if any). */
  private readonly opening = new Map<string, Promise<string | undefined>>();
  /** The project of each key being opened; counted against the caps from the moment it is asked for. */
  private readonly openingProjects = new Map<string, string>();
  /** Keys whose directory is being deleted: a session opened for one waits for it (see the file comment). */
  private readonly deleting = new Map<string, Promise<void>>();
  /** Keys whose session this process closed, with the reason to give the model. */
  private readonly tombstones = new Map<string, string>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CodeSessionManagerOptions) {
    this.now = options.now ?? Date.now;
    const interval = options.sweepIntervalMs ?? Math.min(60_000, (options.idleSeconds * 1000) / 2);
    if (interval > 0) {
      this.timer = setInterval(
        () =>
          void this.sweep().catch((error: Error) =>
            options.log?.warn(`code session sweep failed: ${error.message}`),
          ),
        interval,
      );
      this.timer.unref();
    }
  }

  /** Number of open sessions. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The session for `key` (owned by `project`), opening one when needed. Throws
   * `SandboxCapacityError` when no session this project may evict is idle.
   */
  async acquire(
    key: string,
    project: string,
    options: { hold?: boolean } = {},
  ): Promise<AcquiredSession> {
    if (!SESSION_KEY_PATTERN.test(key)) throw new Error(`invalid code session key '${key}'`);
    const entry = this.entries.get(key);
    if (entry?.session.alive) {
      entry.lastUsed = this.now();
      return {
        session: this.managed(key, entry),
        reset: false,
        release: this.hold(entry, options),
      };
    }
    if (entry) {
      // The kernel died (a killed or cancelled cell); the session restarts it on the next cell, files kept.
      entry.lastUsed = this.now();
      return {
        session: this.managed(key, entry),
        reset: true,
        resetReason:
          'The Python process of this session was restarted after an earlier cell ended it (it failed, ran out of time or was cancelled): variables are gone, files in /mnt/data are kept.',
        release: this.hold(entry, options),
      };
    }
    let pending = this.opening.get(key);
    const first = pending === undefined;
    if (pending === undefined) {
      this.openingProjects.set(key, project);
      pending = this.openFresh(key, project);
      this.opening.set(key, pending);
      void pending
        .finally(() => {
          this.opening.delete(key);
          this.openingProjects.delete(key);
        })
        .catch(() => {});
    }
    const reason = await pending;
    const opened = this.entries.get(key)!;
    const session = this.managed(key, opened);
    const release = this.hold(opened, options);
    return first && reason !== undefined
      ? { session, reset: true, resetReason: reason, opened: true, release }
      : { session, reset: false, opened: first, release };
  }

  /**
   * With `hold`, the session counts as busy until `release`: a caller that reads files between
   * acquiring it and its cell keeps it from being evicted for another session meanwhile.
   */
  private hold(entry: Entry, options: { hold?: boolean }): () => void {
    if (!options.hold) return () => {};
    entry.busy++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      entry.busy--;
      entry.lastUsed = this.now();
    };
  }

  /** Closes the session of `key` (for example when its thread is deleted) without reporting a reset later. */
  async end(key: string): Promise<void> {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    this.tombstones.delete(key);
    if (entry) await this.deleteDirectory(key, () => entry.session.close());
  }

  /** Closes sessions idle past the limit and deletes stale directories no session holds. Returns how many sessions it closed. */
  async sweep(): Promise<number> {
    const cutoff = this.now() - this.options.idleSeconds * 1000;
    let closed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.busy > 0 || entry.lastUsed > cutoff) continue;
      await this.retire(
        key,
        `The code session was idle for more than ${describeSeconds(this.options.idleSeconds)} and was reset: variables and files from earlier calls are gone.`,
      );
      closed++;
    }
    const names = await readdir(this.options.sandbox.sessionsDirectory).catch(() => []);
    for (const name of names) {
      if (!SESSION_KEY_PATTERN.test(name) || this.entries.has(name) || this.opening.has(name))
        continue;
      const directory = join(this.options.sandbox.sessionsDirectory, name);
      await this.deleteDirectory(name, async () => {
        const stats = await stat(directory).catch(() => undefined);
        if (stats && stats.mtimeMs <= cutoff) await rm(directory, { recursive: true, force: true });
      });
    }
    return closed;
  }

  /**
   * Runs `work`, which deletes the directory of `key`, under the key's claim: taken now, in the turn
   * of the caller's check that no session uses the key, and let go when the work ends.
   */
  private deleteDirectory(key: string, work: () => Promise<void>): Promise<void> {
    // After the key's deletion under way, whether or not it succeeded.
    const before = this.deleting.get(key)?.catch(() => {}) ?? Promise.resolve();
    const done = before.then(work);
    this.deleting.set(key, done);
    const letGo = () => {
      if (this.deleting.get(key) === done) this.deleting.delete(key);
    };
    done.then(letGo, letGo);
    return done;
  }

  /** Stops the sweeper and closes every session (their directories are deleted). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.opening.values(), ...this.deleting.values()]);
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => entry.session.close()));
  }

  /** Opens a session for a key that has none; resolves to the reset reason, if the key had a session before. */
  private async openFresh(key: string, project: string): Promise<string | undefined> {
    // A deletion of the key's directory under way ends first (a failed one leaves a leftover).
    await this.deleting.get(key)?.catch(() => {});
    const reason = this.tombstones.get(key) ?? (await this.leftoverReason(key));
    this.tombstones.delete(key);
    await this.makeRoom(project);
    const session = await this.options.sandbox.openSession(key);
    this.entries.set(key, { session, project, lastUsed: this.now(), busy: 0 });
    return reason;
  }

  /** Sessions per project, those being opened (the caller's own included) counted. */
  private countByProject(): Map<string, number> {
    const counts = new Map<string, number>();
    const held = [...this.entries.values()].map((entry) => entry.project);
    for (const project of [...held, ...this.openingProjects.values()])
      counts.set(project, (counts.get(project) ?? 0) + 1);
    return counts;
  }

  /** Evicts idle sessions until `project`'s new session fits both caps, fairly (see the file comment). */
  private async makeRoom(project: string): Promise<void> {
    const { maxSessions } = this.options;
    const perProject = this.options.maxSessionsPerProject ?? maxSessions;
    for (;;) {
      const counts = this.countByProject();
      const own = counts.get(project) ?? 0;
      const total = this.entries.size + this.openingProjects.size;
      if (own <= perProject && total <= maxSessions) return;
      const share = Math.max(1, Math.floor(maxSessions / counts.size));
      const idle = [...this.entries]
        .filter(([, entry]) => entry.busy === 0)
        .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
      const mayTakeFromOthers = own <= perProject && own <= share;
      const victim =
        (mayTakeFromOthers
          ? idle.find(
              ([, entry]) => entry.project !== project && (counts.get(entry.project) ?? 0) > share,
            )
          : undefined) ?? idle.find(([, entry]) => entry.project === project);
      if (!victim)
        throw new SandboxCapacityError(
          own > perProject
            ? `All ${perProject} code sessions of this project are busy; try again when a running cell finishes.`
            : `All code sessions this project may use now (${Math.min(share, perProject)} of ${maxSessions} on this server) are busy; try again when a running cell finishes.`,
        );
      await this.retire(
        victim[0],
        'The code session was closed to make room for other sessions: variables and files from earlier calls are gone.',
      );
    }
  }

  private async retire(key: string, reason: string): Promise<void> {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    this.tombstones.set(key, reason);
    if (this.tombstones.size > MAX_TOMBSTONES)
      this.tombstones.delete(this.tombstones.keys().next().value!);
    if (entry) await this.deleteDirectory(key, () => entry.session.close());
  }

  private async leftoverReason(key: string): Promise<string | undefined> {
    const exists = await stat(join(this.options.sandbox.sessionsDirectory, key)).then(
      () => true,
      () => false,
    );
    return exists
      ? 'The code session was reset because the server restarted: variables are gone, files in /mnt/data are kept.'
      : undefined;
  }

  /**
   * The session as callers see it: use marks it busy (never evicted or swept mid-cell) and fresh.
   * Every acquisition of one session gets the same object, so a caller can key what it keeps per
   * session on it (the files it copied in), and a new session is a new object.
   */
  private managed(key: string, entry: Entry): SandboxSession {
    return (entry.view ??= this.view(key, entry));
  }

  private view(key: string, entry: Entry): SandboxSession {
    const use = async <T>(work: () => Promise<T>): Promise<T> => {
      entry.busy++;
      try {
        return await work();
      } finally {
        entry.busy--;
        entry.lastUsed = this.now();
        const time = new Date(entry.lastUsed);
        await utimes(entry.session.directory, time, time).catch(() => {});
      }
    };
    return {
      key,
      directory: entry.session.directory,
      get alive() {
        return entry.session.alive;
      },
      putFile: (name: string, bytes: Uint8Array) => use(() => entry.session.putFile(name, bytes)),
      runCell: (code: string, options: RunCellOptions): Promise<CellResult> =>
        use(() => entry.session.runCell(code, options)),
      close: () => this.end(key),
    };
  }
}

function describeSeconds(seconds: number): string {
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}

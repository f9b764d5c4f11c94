/**
 * Host uids for jails when the server runs as root: one per live session, so that RLIMIT_NPROC
 * (counted per host uid) is a per-session limit and one session's files are closed to another's
 * uid. The uids need no /etc/passwd entry. The default range sits above the usual subordinate-id
 * ranges of container runtimes (100000 + 65536·n).
 */
export const DEFAULT_HOST_UID_BASE = 2_100_000_000;
export const DEFAULT_HOST_UID_COUNT = 10_000;

export class HostUidPool {
  private readonly inUse = new Set<number>();

  constructor(
    private readonly base = DEFAULT_HOST_UID_BASE,
    private readonly count = DEFAULT_HOST_UID_COUNT,
  ) {}

  /** The lowest free uid; throws when every uid of the range is taken. */
  take(): number {
    for (let uid = this.base; uid < this.base + this.count; uid++) {
      if (!this.inUse.has(uid)) {
        this.inUse.add(uid);
        return uid;
      }
    }
    throw new Error(`all ${this.count} sandbox host uids from ${this.base} are in use`);
  }

  /** Returns a uid once nothing runs under it any more. */
  release(uid: number): void {
    this.inUse.delete(uid);
  }
}

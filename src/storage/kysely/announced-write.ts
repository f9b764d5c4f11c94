/** How an adapter that can announces a write's events itself (PostgreSQL: postgres/write-then-notify.ts). */
import type { Announcement } from '../ports/runs-port.ts';

/**
 * Runs the write `text` (PostgreSQL placeholders) with `parameters`, then, after its commit and in the
 * same round trip, `announcement`'s notifications; resolves with the write's row count and sets
 * `announcement.sent` once they went out. Rejects, announcing nothing, when the write fails; a write
 * that committed resolves even when its notifications failed (`sent` stays false: the bus sends them).
 * Only outside a transaction: it runs on a connection of its own.
 */
export type AnnouncedWrite = (
  text: string,
  parameters: readonly unknown[],
  announcement: Announcement,
) => Promise<number>;

/**
 * Runs the write `text` (PostgreSQL placeholders) with `parameters` in a transaction of its own,
 * after `lock` (a statement that takes a transaction-level lock) in an earlier statement of it, in one
 * round trip (PostgreSQL: postgres/write-then-notify.ts); resolves with the write's row count.
 */
export type LockedWrite = (
  lock: { sql: string; parameters: readonly unknown[] },
  text: string,
  parameters: readonly unknown[],
) => Promise<number>;

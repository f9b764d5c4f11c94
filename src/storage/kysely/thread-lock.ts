/**
 * The lock that serializes what makes a run active on a thread with what adds a message to it
 * (PostgreSQL). Under READ COMMITTED a message's insert (`… where not exists (an active run)`) does
 * not see a run inserted by a transaction that has not committed when the insert's snapshot is taken,
 * and a run's insert checks nothing about messages: both could succeed, leaving a message added while
 * its thread's run was active (OpenAI refuses it). Both take this transaction-level advisory lock
 * first: a run's insert before its row is written (in its statement), a message's insert in an
 * earlier statement of its transaction, so its snapshot is taken after the lock's previous holder
 * committed. SQLite needs none: it runs one write at a time.
 */

/** The lock's statement text around `key` (a placeholder). */
export function threadLockCall(key: string): string {
  return `pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/** The lock's key for `threadId`. */
export function threadLockKey(threadId: string): string {
  return `thread:${threadId}`;
}

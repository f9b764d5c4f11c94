/**
 * PostgreSQL's NOTIFY as one statement for many notifications: what the event bus sends on its own
 * connection, and what a write sends after its commit when it announces its events itself
 * (`Announcement`, postgres/announced-write.ts).
 */

/** Notifications per statement (two parameters each; a statement takes at most 65,535). */
export const NOTIFICATIONS_PER_STATEMENT = 1000;

/** Memo of `notifyStatement` for the common batch sizes. */
const texts: string[] = [];

/**
 * One statement sending `count` notifications in order, each as two plain text parameters, channel
 * then payload (arrays would cost pg an escaping pass over every payload).
 */
export function notifyStatement(count: number): string {
  let text = texts[count];
  if (text) return text;
  const rows = Array.from(
    { length: count },
    (_, index) => `($${2 * index + 1}::text, $${2 * index + 2}::text)`,
  );
  text = `select pg_notify(channel, payload) from (values ${rows.join(', ')}) as notification(channel, payload)`;
  if (count <= 64) texts[count] = text;
  return text;
}

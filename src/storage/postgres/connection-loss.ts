/**
 * Which pg errors mean the connection, not the statement, failed, and whether the statement can be
 * sent again on another connection without running twice. The shapes are node-postgres 8's: the
 * server's FATAL `ErrorResponse` (a `DatabaseError` with a SQLSTATE `code`), a socket error (a Node
 * `code` such as `ECONNRESET`), or an `Error` with only a message when the socket closed.
 */

/** SQLSTATEs of a session the server ended: class 08 (connection exception) and these three. */
const SESSION_ENDED = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a smart or fast server shutdown
  '57P02', // crash_shutdown: another backend crashed, or an immediate shutdown
  '57P03', // cannot_connect_now: the server is starting, stopping or in recovery
]);

const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** pg's words when the statement was refused before a byte of it was written. */
const NOT_SENT = [
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** pg's words when the socket closed (`Connection terminated unexpectedly`) or never opened in time. */
const CLOSED = [/^Connection terminated\b/, /^timeout expired$/];

function fieldsOf(error: unknown): { code?: unknown; message?: unknown } {
  return typeof error === 'object' && error !== null ? error : {};
}

/** Whether `error` says the connection is gone (or could not be opened), not that the statement was wrong. */
export function isConnectionLoss(error: unknown): boolean {
  const { code, message } = fieldsOf(error);
  if (typeof code === 'string' && (SESSION_ENDED.has(code) || code.startsWith('08'))) return true;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  if (typeof message !== 'string') return false;
  return NOT_SENT.includes(message) || CLOSED.some((pattern) => pattern.test(message));
}

/**
 * Whether a statement that failed with `error` as the first of its connection checkout (a single
 * statement outside a transaction, or a transaction's `begin`) may be sent again on another
 * connection: only when it cannot have taken effect, or when taking effect twice changes nothing.
 *
 * - pg refused to write it (`… is not queryable`): it never reached the server.
 * - The server ended the session with 57P01 or 57P03: a FATAL rolls back the transaction it
 *   interrupts, and a commit runs with interrupts held, after which the reply is flushed before the
 *   backend reads again (where a pending termination fires); so a 57P01 in place of the reply
 *   means the statement did not commit. This is what `pg_terminate_backend`, a fast shutdown or a
 *   failover's shutdown of the old primary send to every connection, idle ones included.
 * - Anything else (the socket reset or closed mid-statement, a 57P02 from a signal handler that can
 *   fire after a commit): the outcome is unknown, so only a `begin` and a plain `select` are repeated.
 *   Writes then fail, as a 503 the client may retry, rather than risk being applied twice.
 */
export function isSafeToRepeat(error: unknown, statement: string): boolean {
  const { code, message } = fieldsOf(error);
  if (typeof message === 'string' && NOT_SENT.includes(message)) return true;
  if (code === '57P01' || code === '57P03') return true;
  return /^\s*(begin|start transaction|select)\b/i.test(statement);
}

/**
 * The error a statement fails with when the database cannot serve it right now (PostgreSQL not
 * reachable, SQLite's file locked by another process past its busy timeout): a 503 that tells the
 * client to retry, in the same words on both dialects, instead of a 500.
 */
import { UnavailableError } from '../domain/errors.ts';

/** Seconds a client is told to wait before retrying. */
const RETRY_AFTER_SECONDS = 1;

/** A 503 `database_unavailable` with `Retry-After`; the driver's error stays as its cause. */
export function databaseUnavailable(cause: unknown): UnavailableError {
  return UnavailableError.retryLater(
    'The database is not reachable right now; please retry the request.',
    'database_unavailable',
    RETRY_AFTER_SECONDS,
    cause,
  );
}

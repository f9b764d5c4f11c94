/**
 * A statement that failed on a foreign key: a row it names is gone. Outside a bug, that is an object
 * deleted while a request added to it (a thread's message or run, a vector store's file, a
 * container's file), after the request had found it: the request answers 404, as it would have a
 * moment later, in the same words on both dialects.
 */
import { NotFoundError } from '../domain/errors.ts';

export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** The 404 of a request whose object was deleted while it was served. */
export function deletedMeanwhile(): NotFoundError {
  return new NotFoundError(
    'An object this request names was deleted while the request was being served.',
  );
}

/**
 * A value, or a promise of it: what a hot path returns when its common case needs no I/O (the message
 * pair on SQLite answers synchronously), so callers that can use the value at once cost no promise.
 * Callers that `await` it keep working unchanged.
 */
export type MaybePromise<Value> = Value | Promise<Value>;

/** Whether `value` is a promise to wait for (a native one: every async path of ours returns one). */
export function isPromise<Value>(value: MaybePromise<Value>): value is Promise<Value> {
  return value instanceof Promise;
}

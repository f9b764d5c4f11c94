/** Counting promise hops, for tests that guard a delivery path's structure without timing it. */

/** Microtask turns until `promise` settles (each `await undefined` is one); at most 100. */
export async function hops(promise: Promise<unknown>): Promise<number> {
  const state = { settled: false };
  void promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  let count = 0;
  while (!state.settled && count < 100) {
    await undefined;
    count++;
  }
  return count;
}

/** Reads `iterator` to its end: each value, and the hops each `next()` took (the end's included). */
export async function readCountingHops<Value>(
  iterator: AsyncIterator<Value>,
): Promise<{ values: Value[]; counts: number[] }> {
  const values: Value[] = [];
  const counts: number[] = [];
  for (;;) {
    const next = iterator.next();
    counts.push(await hops(next));
    const result = await next;
    if (result.done) return { values, counts };
    values.push(result.value);
  }
}

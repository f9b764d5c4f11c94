/** Polls `check` until it returns a value that is not undefined/false, or fails after `timeoutMilliseconds`. */
export async function waitFor<Value>(
  check: () => Promise<Value | undefined | false>,
  what: string,
  timeoutMilliseconds = 20_000,
): Promise<Value> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

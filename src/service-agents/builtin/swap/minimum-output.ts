/**
 * The least output a swap accepts: the quoted output less `maxSlippageBps`, rounded up (never looser
 * than asked). Venues apply the same rule when they execute; the proposal shows it in advance so a
 * person approves the real floor. The swap agent's tests check that both agree.
 */
export function minimumOutput(quotedOut: bigint, maxSlippageBps: number): bigint {
  const kept = quotedOut * (10_000n - BigInt(maxSlippageBps));
  return (kept + 9_999n) / 10_000n;
}

/** Constant-product arithmetic in integers, the same rounding the pool contract uses. */

export const BPS = 10_000n;

/** The least output a fill may give: the quoted output less `maxSlippageBps`, rounded up (never looser than asked). */
export function minimumOutput(quotedOut: bigint, maxSlippageBps: number): bigint {
  const kept = quotedOut * (BPS - BigInt(maxSlippageBps));
  return (kept + BPS - 1n) / BPS;
}

/**
 * How much worse than the mid price, after the fee, a trade fills: `1 - out / (in·(1-fee)·reserveOut/reserveIn)`,
 * in basis points rounded up, so a non-zero impact never shows as zero.
 */
export function priceImpactBps(
  amountIn: bigint,
  amountOut: bigint,
  reserveIn: bigint,
  reserveOut: bigint,
  feeBps: number,
): number {
  const ideal = amountIn * (BPS - BigInt(feeBps)) * reserveOut;
  const actual = amountOut * BPS * reserveIn;
  if (ideal === 0n || actual >= ideal) return 0;
  return Number(((ideal - actual) * BPS + ideal - 1n) / ideal);
}

/**
 * Whole-token amounts short enough for a one-line summary a person reads: six significant digits, never
 * rounding the integer part. `down` is for floors ("at least …"), so the shown number stays true.
 */
import { formatUnits } from 'viem';

export function roundedUnits(
  amount: bigint,
  decimals: number,
  direction: 'nearest' | 'down',
  significant = 6,
): string {
  const drop = Math.min(decimals, Math.max(0, amount.toString().length - significant));
  if (drop === 0) return formatUnits(amount, decimals);
  const unit = 10n ** BigInt(drop);
  const kept = direction === 'down' ? amount / unit : (amount + unit / 2n) / unit;
  return formatUnits(kept, decimals - drop);
}

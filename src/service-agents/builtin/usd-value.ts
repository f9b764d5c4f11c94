/** Values in US dollars for spending policies: rounded up to the cent, so a limit is never understated. */
import { formatUnits } from 'viem';

/** `amount` base units of a token with `decimals` decimals, at `priceUsd` dollars per whole token. */
export function usdValue(amount: bigint, decimals: number, priceUsd: number): number {
  const dollars = Number(formatUnits(amount, decimals)) * priceUsd;
  return Math.ceil(Number((dollars * 100).toPrecision(12))) / 100;
}

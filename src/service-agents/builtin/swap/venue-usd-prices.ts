/**
 * Dollar prices of a venue's tokens, to value swaps for spending limits. Tokens pegged to the dollar
 * (named in `stablecoins`, e.g. TUSD on the dev chain) are worth 1; any other token is worth its mid
 * price against the first such stablecoin the venue trades, read from a quote for a small probe amount
 * (a thousandth of a token, so price impact stays far below a basis point) with the fee taken back out.
 */
import type { SwapToken, SwapVenue } from '../../../chain/swap-venue.ts';

export interface UsdPrices {
  /** Dollars per whole token, or undefined when the token cannot be priced. */
  usdPrice(token: SwapToken): Promise<number | undefined>;
}

export interface VenueUsdPricesOptions {
  venue: SwapVenue;
  /** Symbols of tokens worth exactly one US dollar. */
  stablecoins: readonly string[];
}

const BPS = 10_000;

export function createVenueUsdPrices({ venue, stablecoins }: VenueUsdPricesOptions): UsdPrices {
  const pegged = new Set(stablecoins.map((symbol) => symbol.toUpperCase()));
  return {
    async usdPrice(token) {
      if (pegged.has(token.symbol.toUpperCase())) return 1;
      const dollar = (await venue.tokens()).find((candidate) =>
        pegged.has(candidate.symbol.toUpperCase()),
      );
      if (!dollar) return undefined;
      const probe = 10n ** BigInt(Math.max(token.decimals - 3, 0));
      const outcome = await venue.quote(token.address, dollar.address, probe);
      if (outcome.status !== 'quoted') return undefined;
      const { amountOut, feeBps } = outcome.quote;
      const received = Number(amountOut) / 10 ** dollar.decimals;
      const sold = Number(probe) / 10 ** token.decimals;
      return received / sold / (1 - feeBps / BPS);
    },
  };
}

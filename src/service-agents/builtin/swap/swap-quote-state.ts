/**
 * A quote as JSON and back: proposals keep the quote in their private state (stored with the action),
 * and JSON has no bigints, so amounts travel as decimal strings and are checked on the way back.
 */
import type { Address } from 'viem';
import { z } from 'zod';
import type { SwapQuote } from '../../../chain/swap-venue.ts';

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .transform((value) => value as Address);
const baseUnits = z
  .string()
  .regex(/^[0-9]+$/)
  .transform((value) => BigInt(value));

export const SwapQuoteStateSchema = z.object({
  venue: z.string(),
  chainId: z.number().int(),
  tokenIn: address,
  tokenOut: address,
  amountIn: baseUnits,
  amountOut: baseUnits,
  priceImpactBps: z.number(),
  feeBps: z.number(),
  route: z.array(
    z.object({ pool: address, tokenIn: address, tokenOut: address, feeBps: z.number() }),
  ),
  quotedAt: z.number().int(),
  expiresAt: z.number().int(),
});

export function quoteToState(quote: SwapQuote): z.input<typeof SwapQuoteStateSchema> {
  return {
    ...quote,
    amountIn: quote.amountIn.toString(),
    amountOut: quote.amountOut.toString(),
    route: quote.route.map((hop) => ({ ...hop })),
  };
}

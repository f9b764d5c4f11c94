/** The swap agent's input: what to sell, what to buy, how much, and the worst fill accepted. */
import { z } from 'zod';

const token = z.string().min(1).max(64);

export const SwapInputSchema = z.strictObject({
  token_in: token.describe('The token to sell: its symbol (e.g. TUSD) or its address.'),
  token_out: token.describe('The token to buy: its symbol (e.g. WETH) or its address.'),
  amount_in: z
    .string()
    .max(80)
    .regex(
      /^[0-9]+(\.[0-9]+)?$/,
      'use a decimal number of whole tokens as a string, e.g. "100" or "0.25"',
    )
    .describe(
      'How much of token_in to sell, in whole tokens (not base units), as a decimal string, e.g. "100" or "0.25".',
    ),
  max_slippage_bps: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(50)
    .describe(
      'The worst fill accepted below the quote, in basis points (50 = 0.5%); enforced on-chain as the minimum output.',
    ),
});

export type SwapInput = z.infer<typeof SwapInputSchema>;

/** The input schema as JSON Schema, what the model sees as the function's parameters. */
export function swapInputJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(SwapInputSchema, { io: 'input' });
  return schema;
}

/** The default description of agents created from this built-in. */
export const SWAP_AGENT_DESCRIPTION =
  'Swaps one token for another on the configured venue (on the dev chain: the TUSD/WETH pool). Quotes first (amount out, minimum out, price impact, fee, route); the swap runs only after the spending policy (and usually a person) approves it, approves exactly the input amount, enforces the minimum output on-chain and verifies the balances.';

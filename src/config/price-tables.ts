/** The price tables of `GET /v1/organization/costs` (`prices` and `usagePrices` in the config file). */
import { z } from 'zod';

/** What one model costs, for `GET /v1/organization/costs` (`prices` in `concierge.config.json`). */
export const ModelPriceSchema = z.strictObject({
  input_usd_per_million_tokens: z.number().nonnegative(),
  output_usd_per_million_tokens: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

/** What the metered usage beyond tokens costs (`usagePrices`); an unset price leaves it out of costs. */
export const UsagePricesSchema = z.strictObject({
  /** Each code interpreter session opened. */
  code_interpreter_usd_per_session: z.number().nonnegative().optional(),
  /** The time code interpreter cells spent executing. */
  code_interpreter_usd_per_hour: z.number().nonnegative().optional(),
  /** Stored bytes (files, container files, vector stores' parsed size), per GB (10⁹ bytes) a day. */
  stored_usd_per_gb_day: z.number().nonnegative().optional(),
});
export type UsagePrices = z.infer<typeof UsagePricesSchema>;

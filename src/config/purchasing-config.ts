/**
 * Settings of the purchasing service agent, under `purchasing` in `concierge.config.json`. Merchants
 * are an allowlist: the agent talks to no other host. Secrets (merchant API keys, the card number used
 * for ACP delegated payments) are held as `Secret`s, so printing the config never shows them.
 */
import { z } from 'zod';
import { Secret } from './secret.ts';

const secret = z
  .string()
  .min(1)
  .transform((value) => new Secret(value));

/** A postal address in ACP's shape (`line_one`, `postal_code`, two-letter `country`). */
export const PostalAddressSchema = z.strictObject({
  name: z.string().min(1).max(256),
  line_one: z.string().min(1).max(60),
  line_two: z.string().max(60).optional(),
  city: z.string().min(1).max(60),
  state: z.string().min(1),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166-1 country code, e.g. "US"'),
  postal_code: z.string().min(1).max(20),
});
export type PostalAddress = z.infer<typeof PostalAddressSchema>;

export const MerchantConfigSchema = z.strictObject({
  /** How proposals, policies (`allowed_merchants`) and the audit log name this merchant. */
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]{0,63}$/,
      'must be lowercase letters, digits, ".", "_" or "-" (at most 64)',
    ),
  /** Where the merchant's API lives; every request goes under this URL and nowhere else. */
  baseUrl: z.string().url(),
  /** The PSP that issues ACP delegated-payment tokens for this merchant (defaults to `baseUrl`). */
  pspUrl: z.string().url().optional(),
  /** Bearer token for the merchant's API, when it asks for one. */
  apiKey: secret.optional(),
  /** When set, only products of these categories may be bought here. */
  categories: z.array(z.string().min(1)).min(1).optional(),
});
export type MerchantConfig = z.infer<typeof MerchantConfigSchema>;

/** The card that ACP delegated payments are drawn on. The PSP vaults it; merchants only see a capped token. */
export const PaymentCardSchema = z.strictObject({
  number: secret,
  exp_month: z.string().regex(/^(0[1-9]|1[0-2])$/, 'must be two digits, 01 to 12'),
  exp_year: z.string().regex(/^\d{4}$/, 'must be four digits'),
  name: z.string().min(1).optional(),
  cvc: secret.optional(),
  funding: z.enum(['credit', 'debit', 'prepaid']).default('credit'),
  brand: z.string().min(1).optional(),
});
export type PaymentCard = z.infer<typeof PaymentCardSchema>;

export const PurchasingConfigSchema = z.strictObject({
  /** Allowlisted merchants. None configured (and the embedded dev chain) means the built-in demo merchant. */
  merchants: z.array(MerchantConfigSchema).default([]),
  /** `auto`: run the demo merchant inside the server when no merchants are configured and the chain is the dev chain. */
  demoMerchant: z.enum(['auto', 'on', 'off']).default('auto'),
  /** A ceiling per purchase, in US dollars, that no policy or approval can lift. */
  maxPurchaseUsd: z.number().positive().default(50),
  /** Where physical goods ship when the task names no address. */
  shipTo: PostalAddressSchema.optional(),
  /** Who the merchant sees as the buyer. */
  buyer: z
    .strictObject({
      first_name: z.string().min(1),
      last_name: z.string().min(1),
      email: z.string().email(),
    })
    .optional(),
  /** The card behind ACP delegated payments; unset means ACP checkouts are not paid (x402 still is), except with the demo merchant's test card. */
  card: PaymentCardSchema.optional(),
  /** The stablecoin x402 payments are made in: an ERC-3009 token on the configured chain (default: the dev chain's Test USD). */
  x402Asset: z
    .strictObject({
      address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address'),
      /** EIP-712 domain name and version of the token (USDC: "USD Coin", "2"). */
      name: z.string().min(1),
      version: z.string().min(1),
      decimals: z.number().int().min(0).max(36),
    })
    .optional(),
});
export type PurchasingConfig = z.infer<typeof PurchasingConfigSchema>;

/**
 * The allowlist of merchants the purchasing agent may talk to: the configured ones, or the built-in
 * demo merchant (whose address is known only once it listens, hence the lazy `list`). Nothing outside
 * this list is ever contacted; a merchant's product text never adds to it.
 */
import type { MerchantConfig, PaymentCard } from '../../../config/purchasing-config.ts';
import type { Secret } from '../../../config/secret.ts';

export interface Merchant {
  id: string;
  /** The merchant's API root, without a trailing slash. */
  baseUrl: string;
  /** The PSP's API root for ACP delegated payments. */
  pspUrl: string;
  /** `host[:port]` of `baseUrl`, what a policy's `allowed_hosts` matches. */
  host: string;
  apiKey?: Secret;
  categories?: string[];
  /** The card ACP payments here draw on (the configured card, or the demo merchant's test card). */
  card?: PaymentCard;
}

export interface MerchantDirectory {
  list(): Promise<Merchant[]>;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A `Merchant` from its configuration; `card` is the one ACP payments there use. */
export function merchantFromConfig(config: MerchantConfig, card?: PaymentCard): Merchant {
  const baseUrl = trimSlash(config.baseUrl);
  return {
    id: config.id,
    baseUrl,
    pspUrl: trimSlash(config.pspUrl ?? config.baseUrl),
    host: new URL(baseUrl).host,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    ...(config.categories ? { categories: config.categories } : {}),
    ...(card ? { card } : {}),
  };
}

/** A directory over a fixed list, or over a list resolved on first use (the embedded demo merchant). */
export function createMerchantDirectory(
  source: Merchant[] | (() => Promise<Merchant[]>),
): MerchantDirectory {
  let resolved: Promise<Merchant[]> | undefined;
  return {
    list() {
      if (Array.isArray(source)) return Promise.resolve(source);
      resolved ??= source().catch((error: unknown) => {
        resolved = undefined;
        throw error;
      });
      return resolved;
    },
  };
}

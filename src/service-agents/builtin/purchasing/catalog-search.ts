/**
 * Searching merchants' catalogs (`GET <baseUrl>/catalog/search?q=`, the demo merchant's shape, close to
 * ACP's product feed fields). Merchant answers are untrusted: they are parsed leniently, products that
 * do not parse are dropped, and the text is cut to a bound. A merchant that fails is reported, not fatal.
 */
import { z } from 'zod';
import type { Merchant } from './merchant-directory.ts';
import { merchantRequest } from './merchant-http.ts';

const ProductSchema = z.object({
  id: z.string().min(1).max(128),
  title: z.string().max(500),
  description: z.string().max(4000).default(''),
  category: z.string().max(100).default('uncategorized'),
  price: z.object({
    amount: z.number().int().nonnegative(),
    currency: z.string().regex(/^[a-zA-Z]{3}$/),
  }),
  availability: z.string().max(40).default('in_stock'),
  purchase: z.discriminatedUnion('protocol', [
    z.object({ protocol: z.literal('acp'), requires_shipping: z.boolean().default(true) }),
    z.object({ protocol: z.literal('x402'), resource: z.string().startsWith('/').max(500) }),
  ]),
});
export type CatalogProduct = z.infer<typeof ProductSchema>;

export interface Offer {
  merchant: Merchant;
  product: CatalogProduct;
}

export interface SearchResult {
  offers: Offer[];
  /** Merchants that could not be searched, with why. */
  failures: Array<{ merchantId: string; message: string }>;
}

const clip = (text: string, length: number) =>
  text.length > length ? `${text.slice(0, length)}…` : text;

export type LookupResult =
  | { status: 'found'; product: CatalogProduct }
  | { status: 'not_found' | 'merchant_unavailable'; message: string };

/** One product by id (`GET <baseUrl>/catalog/products/:id`), as `searchCatalogs` parses it. */
export async function lookupProduct(
  merchant: Merchant,
  productId: string,
  options: { timeoutMilliseconds: number; signal: AbortSignal },
): Promise<LookupResult> {
  let response;
  try {
    response = await merchantRequest(merchant, {
      method: 'GET',
      url: `${merchant.baseUrl}/catalog/products/${encodeURIComponent(productId)}`,
      ...options,
    });
  } catch (error) {
    if (options.signal.aborted) throw error;
    return { status: 'merchant_unavailable', message: (error as Error).message };
  }
  if (response.status === 404)
    return { status: 'not_found', message: `${merchant.id} has no product ${productId}.` };
  const product = ProductSchema.safeParse(response.body);
  if (response.status !== 200 || !product.success)
    return {
      status: 'merchant_unavailable',
      message: `${merchant.id} answered HTTP ${response.status} without a readable product.`,
    };
  return {
    status: 'found',
    product: {
      ...product.data,
      title: clip(product.data.title, 200),
      description: clip(product.data.description, 600),
    },
  };
}

export async function searchCatalogs(
  merchants: Merchant[],
  query: string,
  options: { limit: number; timeoutMilliseconds: number; signal: AbortSignal },
): Promise<SearchResult> {
  const results = await Promise.all(
    merchants.map(async (merchant) => {
      try {
        const url = `${merchant.baseUrl}/catalog/search?q=${encodeURIComponent(query)}&limit=${options.limit}`;
        const response = await merchantRequest(merchant, {
          method: 'GET',
          url,
          timeoutMilliseconds: options.timeoutMilliseconds,
          signal: options.signal,
        });
        if (response.status !== 200) return { merchant, error: `answered HTTP ${response.status}` };
        const products = (response.body as { products?: unknown } | undefined)?.products;
        if (!Array.isArray(products)) return { merchant, error: 'answered without a product list' };
        const parsed = products.flatMap((candidate) => {
          const product = ProductSchema.safeParse(candidate);
          return product.success
            ? [
                {
                  ...product.data,
                  title: clip(product.data.title, 200),
                  description: clip(product.data.description, 600),
                },
              ]
            : [];
        });
        return { merchant, products: parsed };
      } catch (error) {
        if (options.signal.aborted) throw error;
        return { merchant, error: (error as Error).message };
      }
    }),
  );
  const offers: Offer[] = [];
  const failures: SearchResult['failures'] = [];
  for (const result of results) {
    if ('error' in result)
      failures.push({
        merchantId: result.merchant.id,
        message: `${result.merchant.id} ${result.error}`,
      });
    else offers.push(...result.products.map((product) => ({ merchant: result.merchant, product })));
  }
  return { offers, failures };
}

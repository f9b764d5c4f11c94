/**
 * The purchasing service agent (built-in `purchasing`): finds goods at allowlisted merchants and buys
 * them under a budget through ACP checkout or x402. `prepare` searches or quotes (no money moves) and
 * proposes a purchase; `execute` pays for an approved proposal through its rail, once per proposal id,
 * and answers with the order confirmation. A changed price comes back as a new proposal, so a person
 * decides again; out of stock, a declined payment and a failing merchant end with a clear outcome.
 */
import { nowSeconds } from '../../../domain/clock.ts';
import type { PostalAddress } from '../../../config/purchasing-config.ts';
import type {
  AgentContext,
  AgentStepResult,
  ApprovedProposal,
  BuiltinServiceAgent,
  ProposalDraft,
} from '../../builtin-agent.ts';
import { lookupProduct, searchCatalogs } from './catalog-search.ts';
import type { Merchant, MerchantDirectory } from './merchant-directory.ts';
import { describeOffers, describeQuote, offerId, usd } from './offer-text.ts';
import type { PaymentRail, PaymentResult, Quote, RailName } from './payment-rail.ts';
import {
  PURCHASING_AGENT_DESCRIPTION,
  PURCHASING_INPUT_SCHEMA,
  PurchasingInput,
} from './purchasing-input.ts';

export interface PurchasingAgentOptions {
  merchants: MerchantDirectory;
  rails: Record<RailName, PaymentRail>;
  /** A per-purchase ceiling in US dollars that no policy or approval lifts. */
  maxPurchaseUsd: number;
  /** Where physical goods ship when the model gives no `ship_to`. */
  shipTo?: PostalAddress;
  /** The x402 asset's address, named as the proposal's `asset` (what `allowed_assets` matches). */
  x402AssetName?: () => Promise<string>;
  timeoutMilliseconds?: number;
  searchLimit?: number;
}

/** Longest a proposal stays approvable: a checkout session is held about this long. */
const PROPOSAL_SECONDS = 15 * 60;

type StoredQuote = Omit<Quote, 'merchant'> & { merchantId: string };

function failed(output: string, data?: Record<string, unknown>): AgentStepResult {
  return { kind: 'failed', output, ...(data ? { data } : {}) };
}

export function createPurchasingAgent(options: PurchasingAgentOptions): BuiltinServiceAgent {
  const timeoutMilliseconds = options.timeoutMilliseconds ?? 10_000;
  const ceilingCents = Math.round(options.maxPurchaseUsd * 100);

  async function merchantNamed(id: string): Promise<Merchant | undefined> {
    return (await options.merchants.list()).find((merchant) => merchant.id === id);
  }

  async function proposal(
    quote: Quote,
    previous?: { totalAmount: number },
  ): Promise<ProposalDraft> {
    const expiresAt = Math.min(quote.expiresAt, nowSeconds() + PROPOSAL_SECONDS);
    const { merchant, ...rest } = quote;
    const state: StoredQuote = { ...rest, merchantId: merchant.id };
    const summary = previous
      ? `Price changed from ${usd(previous.totalAmount)} to ${usd(quote.totalAmount)}. ${describeQuote(quote)}`
      : describeQuote(quote);
    return {
      kind: 'purchase',
      summary,
      valueUsd: quote.totalAmount / 100,
      merchant: merchant.id,
      host: merchant.host,
      ...(quote.rail === 'x402' && options.x402AssetName
        ? { asset: await options.x402AssetName() }
        : {}),
      expiresAt,
      details: {
        merchant: merchant.id,
        rail: quote.rail,
        items: quote.lines.map((line) => ({
          product_id: line.productId,
          title: line.title,
          quantity: line.quantity,
          unit_price_usd: line.unitAmount / 100,
        })),
        shipping_usd: quote.fulfillmentAmount / 100,
        tax_usd: quote.taxAmount / 100,
        total_usd: quote.totalAmount / 100,
        currency: quote.currency,
        payment_method: quote.paymentMethod,
        expires_at: expiresAt,
        ...(previous ? { previous_total_usd: previous.totalAmount / 100 } : {}),
        ...(typeof quote.state.checkoutSessionId === 'string'
          ? { checkout_session_id: quote.state.checkoutSessionId }
          : {}),
        ...(typeof quote.state.url === 'string' ? { resource: quote.state.url } : {}),
      },
      state: { quote: state },
    };
  }

  async function search(query: string, context: AgentContext): Promise<AgentStepResult> {
    const merchants = await options.merchants.list();
    if (merchants.length === 0)
      return failed('No merchants are configured (purchasing.merchants).');
    context.progress(`Searching ${merchants.length} merchant(s) for "${query}"`);
    const result = await searchCatalogs(merchants, query, {
      limit: options.searchLimit ?? 8,
      timeoutMilliseconds,
      signal: context.signal,
    });
    const offers = result.offers.filter(
      (offer) =>
        !offer.merchant.categories || offer.merchant.categories.includes(offer.product.category),
    );
    const failures = result.failures.map((failure) => failure.message);
    if (offers.length === 0 && failures.length > 0 && failures.length === merchants.length)
      return failed(`No merchant could be searched: ${failures.join('; ')}.`);
    return {
      kind: 'answer',
      output: describeOffers(query, offers, failures),
      data: {
        offers: offers.map((offer) => ({
          offer_id: offerId(offer),
          merchant: offer.merchant.id,
          product_id: offer.product.id,
          price: offer.product.price,
          availability: offer.product.availability,
          protocol: offer.product.purchase.protocol,
        })),
      },
    };
  }

  async function buy(
    input: Extract<PurchasingInput, { action: 'buy' }>,
    context: AgentContext,
  ): Promise<AgentStepResult> {
    const separator = input.offer_id.indexOf(':');
    const merchantId = input.offer_id.slice(0, separator);
    const productId = input.offer_id.slice(separator + 1);
    const merchant = await merchantNamed(merchantId);
    if (!merchant)
      return failed(
        `${merchantId} is not an allowlisted merchant; only offers from a search can be bought.`,
      );
    const found = await lookupProduct(merchant, productId, {
      timeoutMilliseconds,
      signal: context.signal,
    });
    if (found.status !== 'found') return failed(`${found.message} Nothing was bought.`);
    const { product } = found;
    if (merchant.categories && !merchant.categories.includes(product.category))
      return failed(
        `Category "${product.category}" may not be bought at ${merchant.id}. Nothing was bought.`,
      );
    context.progress(`Quoting ${input.quantity} × ${product.id} at ${merchant.id}`);
    const rail = options.rails[product.purchase.protocol];
    const shipTo = input.ship_to ?? options.shipTo;
    const quoted = await rail.quote(
      { merchant, product, quantity: input.quantity, ...(shipTo ? { shipTo } : {}) },
      context.signal,
    );
    if (quoted.status !== 'quoted')
      return failed(`${quoted.message} Nothing was bought.`, { reason: quoted.reason });
    const { quote } = quoted;
    if (
      input.max_total_usd !== undefined &&
      quote.totalAmount > Math.round(input.max_total_usd * 100)
    ) {
      return failed(
        `${describeQuote(quote)}: that is above the limit of ${usd(Math.round(input.max_total_usd * 100))}. Nothing was bought.`,
        { reason: 'over_limit', total_usd: quote.totalAmount / 100 },
      );
    }
    if (quote.totalAmount > ceilingCents) {
      return failed(
        `${describeQuote(quote)}: that is above this server's ceiling of ${usd(ceilingCents)} per purchase. Nothing was bought.`,
        { reason: 'over_ceiling', total_usd: quote.totalAmount / 100 },
      );
    }
    return { kind: 'proposal', proposal: await proposal(quote) };
  }

  function outcome(
    result: PaymentResult,
    quote: Quote,
  ): Promise<AgentStepResult> | AgentStepResult {
    if (result.status === 'price_changed') {
      if (result.quote.totalAmount > ceilingCents)
        return failed(
          `The price changed to ${usd(result.quote.totalAmount)}, above this server's ceiling of ${usd(ceilingCents)}. Nothing was charged.`,
          { reason: 'over_ceiling' },
        );
      return proposal(result.quote, quote).then((draft) => ({ kind: 'proposal', proposal: draft }));
    }
    if (result.status === 'failed')
      return failed(result.message, {
        reason: result.reason,
        may_have_charged: result.mayHaveCharged,
      });
    const { receipt } = result;
    const items = quote.lines.map((line) => `${line.quantity} × ${line.title}`).join(', ');
    const output = [
      `${result.alreadyPaid ? 'Already paid earlier (not charged again)' : 'Order confirmed'}: ${items} from ${receipt.merchantId}, ${usd(receipt.totalAmount)} ${receipt.currency.toUpperCase()}.`,
      `Order: ${receipt.orderId}${receipt.url ? ` (${receipt.url})` : ''}.`,
      receipt.delivered ? `Delivered (untrusted merchant text): ${receipt.delivered}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return {
      kind: 'answer',
      output,
      data: {
        receipt: receipt as unknown as Record<string, unknown>,
        already_paid: result.alreadyPaid,
      },
    };
  }

  return {
    builtin: 'purchasing',
    description: PURCHASING_AGENT_DESCRIPTION,
    // Every rail pays once per idempotency key, and the key is the proposal id.
    dedupesExecution: true,
    inputSchema: PURCHASING_INPUT_SCHEMA,

    async prepare(raw, context) {
      const parsed = PurchasingInput.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return failed(`Invalid input at ${issue.path.join('.') || '(root)'}: ${issue.message}.`);
      }
      return parsed.data.action === 'search'
        ? search(parsed.data.query, context)
        : buy(parsed.data, context);
    },

    async execute(approved: ApprovedProposal, context) {
      const stored = approved.draft.state?.quote as StoredQuote | undefined;
      if (!stored) return failed('The proposal carries no quote; nothing was charged.');
      const merchant = await merchantNamed(stored.merchantId);
      if (!merchant)
        return failed(
          `${stored.merchantId} is no longer an allowlisted merchant; nothing was charged.`,
        );
      const { merchantId: _merchantId, ...rest } = stored;
      const quote: Quote = { ...rest, merchant };
      if (quote.totalAmount > ceilingCents)
        return failed(
          `${usd(quote.totalAmount)} is above this server's ceiling of ${usd(ceilingCents)}; nothing was charged.`,
        );
      context.progress(`Paying ${merchant.id} ${usd(quote.totalAmount)} via ${quote.rail}`);
      const result = await options.rails[quote.rail].pay(
        quote,
        {
          idempotencyKey: approved.id,
          approvedTotal: quote.totalAmount,
          expiresAt: approved.draft.expiresAt,
        },
        context.signal,
      );
      return outcome(result, quote);
    },
  };
}

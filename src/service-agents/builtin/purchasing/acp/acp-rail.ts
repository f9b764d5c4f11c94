/**
 * The ACP payment rail: `quote` opens a checkout session (items, then the cheapest shipping option) and
 * reads its totals; `pay` re-reads the session, asks the PSP for a delegated payment token whose
 * allowance is capped at that total, for that session and merchant only, once, until the proposal
 * expires, and completes the session with it. Keys derive from the proposal's idempotency key, and a
 * session that is already completed is answered from its order, so retries never charge twice.
 */
import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../../../../domain/clock.ts';
import type { PaymentCard } from '../../../../config/purchasing-config.ts';
import { MerchantUnavailableError } from '../merchant-http.ts';
import type {
  PaymentRail,
  PaymentResult,
  Quote,
  QuoteRequest,
  QuoteResult,
} from '../payment-rail.ts';
import { AcpProtocolError, createAcpClient, type CheckoutSession } from './acp-client.ts';

export interface AcpRailOptions {
  buyer?: { first_name: string; last_name: string; email: string };
  timeoutMilliseconds?: number;
  /** Attempts at completing a session whose merchant failed mid-checkout (each re-reads the session first). */
  completeAttempts?: number;
}

/** How long a quoted session is held for a decision. */
const QUOTE_SECONDS = 15 * 60;

const total = (session: CheckoutSession, type: string) =>
  session.totals.find((entry) => entry.type === type)?.amount ?? 0;
const errorCodes = (session: CheckoutSession) =>
  session.messages.filter((message) => message.type === 'error').map((message) => message.code);
const errorText = (session: CheckoutSession) =>
  session.messages
    .filter((message) => message.type === 'error')
    .map((message) => message.content)
    .join(' ');

function describeCard(card: PaymentCard): string {
  const last4 = card.number.reveal().slice(-4);
  return `card ending ${last4} through a one-time ACP delegated payment token, capped at the approved total`;
}

function toQuote(
  base: Pick<Quote, 'merchant'>,
  session: CheckoutSession,
  titles: Record<string, string>,
): Quote {
  return {
    rail: 'acp',
    merchant: base.merchant,
    currency: session.currency,
    lines: session.line_items.map((line) => ({
      productId: line.item.id,
      title: titles[line.item.id] ?? line.item.id,
      quantity: line.item.quantity,
      unitAmount: Math.round(line.base_amount / line.item.quantity),
    })),
    fulfillmentAmount: total(session, 'fulfillment'),
    taxAmount: total(session, 'tax'),
    totalAmount: total(session, 'total'),
    expiresAt: nowSeconds() + QUOTE_SECONDS,
    paymentMethod: base.merchant.card ? describeCard(base.merchant.card) : 'no card configured',
    state: { checkoutSessionId: session.id, titles },
  };
}

function paid(
  quote: Quote,
  session: CheckoutSession,
  alreadyPaid: boolean,
  token: string | null,
): PaymentResult {
  const order = session.order!;
  return {
    status: 'paid',
    alreadyPaid,
    receipt: {
      rail: 'acp',
      merchantId: quote.merchant.id,
      orderId: order.id,
      url: order.permalink_url,
      totalAmount: total(session, 'total'),
      currency: session.currency,
      payment: {
        method: 'acp_delegated_payment',
        checkout_session_id: session.id,
        token,
        provider: 'stripe',
      },
    },
  };
}

function unavailable(message: string): PaymentResult {
  return {
    status: 'failed',
    reason: 'merchant_unavailable',
    message: `${message} Nothing was charged.`,
    mayHaveCharged: false,
  };
}

export function createAcpRail(options: AcpRailOptions = {}): PaymentRail {
  const timeoutMilliseconds = options.timeoutMilliseconds ?? 10_000;
  const completeAttempts = options.completeAttempts ?? 3;
  const client = (quote: Pick<Quote, 'merchant'>) =>
    createAcpClient(quote.merchant, { timeoutMilliseconds });

  async function createQuote(request: QuoteRequest, signal: AbortSignal): Promise<QuoteResult> {
    const { merchant, product, quantity } = request;
    if (product.purchase.protocol !== 'acp')
      return {
        status: 'unavailable',
        reason: 'rejected',
        message: `${product.id} is not sold through ACP checkout.`,
      };
    if (!merchant.card)
      return {
        status: 'unavailable',
        reason: 'rejected',
        message: 'No card is configured for ACP payments (purchasing.card).',
      };
    if (product.purchase.requires_shipping && !request.shipTo)
      return {
        status: 'unavailable',
        reason: 'needs_address',
        message: `${product.title} ships physically: a shipping address (ship_to) is needed.`,
      };
    const acp = createAcpClient(merchant, { timeoutMilliseconds });
    try {
      const created = await acp.create(
        {
          items: [{ id: product.id, quantity }],
          ...(request.shipTo ? { fulfillment_address: request.shipTo } : {}),
          ...(options.buyer ? { buyer: options.buyer } : {}),
        },
        randomUUID(),
        signal,
      );
      if (!created.ok)
        return {
          status: 'unavailable',
          reason: created.status >= 500 ? 'merchant_unavailable' : 'rejected',
          message: `${merchant.id}: ${created.message}`,
        };
      let session = created.value;
      if (errorCodes(session).includes('out_of_stock'))
        return {
          status: 'unavailable',
          reason: 'out_of_stock',
          message: `${merchant.id}: ${errorText(session)}`,
        };
      if (errorCodes(session).includes('invalid'))
        return {
          status: 'unavailable',
          reason: 'not_found',
          message: `${merchant.id}: ${errorText(session)}`,
        };
      const cheapest = [...session.fulfillment_options].sort((a, b) => a.total - b.total)[0];
      if (cheapest && session.fulfillment_option_id !== cheapest.id) {
        const updated = await acp.update(
          session.id,
          { fulfillment_option_id: cheapest.id },
          randomUUID(),
          signal,
        );
        if (!updated.ok)
          return {
            status: 'unavailable',
            reason: updated.status >= 500 ? 'merchant_unavailable' : 'rejected',
            message: `${merchant.id}: ${updated.message}`,
          };
        session = updated.value;
      }
      if (session.status !== 'ready_for_payment')
        return {
          status: 'unavailable',
          reason: 'rejected',
          message: `${merchant.id} is not ready to take payment: ${errorText(session) || session.status}`,
        };
      return {
        status: 'quoted',
        quote: toQuote({ merchant }, session, { [product.id]: product.title }),
      };
    } catch (error) {
      if (error instanceof MerchantUnavailableError)
        return { status: 'unavailable', reason: 'merchant_unavailable', message: error.message };
      throw error;
    }
  }

  async function pay(
    quote: Quote,
    {
      idempotencyKey,
      approvedTotal,
      expiresAt,
    }: { idempotencyKey: string; approvedTotal: number; expiresAt: number },
    signal: AbortSignal,
  ): Promise<PaymentResult> {
    const acp = client(quote);
    const sessionId = String(quote.state.checkoutSessionId);
    const titles = (quote.state.titles ?? {}) as Record<string, string>;
    const card = quote.merchant.card;
    if (!card)
      return {
        status: 'failed',
        reason: 'rejected',
        message: 'No card is configured for ACP payments. Nothing was charged.',
        mayHaveCharged: false,
      };

    let current: CheckoutSession;
    try {
      const read = await acp.retrieve(sessionId, signal);
      if (!read.ok)
        return read.status >= 500
          ? unavailable(`${quote.merchant.id}: ${read.message}.`)
          : {
              status: 'failed',
              reason: 'expired',
              message: `${quote.merchant.id} no longer has the checkout session: ${read.message}. Nothing was charged.`,
              mayHaveCharged: false,
            };
      current = read.value;
    } catch (error) {
      if (error instanceof MerchantUnavailableError) return unavailable(error.message);
      throw error;
    }
    if (current.status === 'completed' && current.order) return paid(quote, current, true, null);
    if (current.status === 'canceled')
      return {
        status: 'failed',
        reason: 'expired',
        message: `${quote.merchant.id} canceled the checkout session. Nothing was charged.`,
        mayHaveCharged: false,
      };
    if (errorCodes(current).includes('out_of_stock'))
      return {
        status: 'failed',
        reason: 'out_of_stock',
        message: `${quote.merchant.id}: ${errorText(current)} Nothing was charged.`,
        mayHaveCharged: false,
      };
    if (current.status !== 'ready_for_payment')
      return {
        status: 'failed',
        reason: 'rejected',
        message: `${quote.merchant.id} is not ready to take payment: ${errorText(current) || current.status}. Nothing was charged.`,
        mayHaveCharged: false,
      };
    const amount = total(current, 'total');
    if (amount > approvedTotal || current.currency !== quote.currency)
      return { status: 'price_changed', quote: toQuote(quote, current, titles) };

    try {
      const delegated = await acp.delegatePayment(
        {
          payment_method: {
            type: 'card',
            card_number_type: 'fpan',
            number: card.number.reveal(),
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            ...(card.name ? { name: card.name } : {}),
            ...(card.cvc ? { cvc: card.cvc.reveal() } : {}),
            display_card_funding_type: card.funding,
            ...(card.brand ? { display_brand: card.brand } : {}),
            display_last4: card.number.reveal().slice(-4),
            metadata: {},
          },
          allowance: {
            reason: 'one_time',
            max_amount: amount,
            currency: current.currency,
            checkout_session_id: sessionId,
            merchant_id: quote.merchant.id,
            expires_at: new Date(expiresAt * 1000).toISOString(),
          },
          risk_signals: [{ type: 'card_testing', score: 0, action: 'authorized' }],
          metadata: { idempotency_key: idempotencyKey },
        },
        `${idempotencyKey}:delegate_payment`,
        signal,
      );
      if (!delegated.ok)
        return delegated.status >= 500
          ? unavailable(`The PSP failed: ${delegated.message}.`)
          : {
              status: 'failed',
              reason: 'declined',
              message: `The PSP refused the card: ${delegated.message}. Nothing was charged.`,
              mayHaveCharged: false,
            };
      return await complete(quote, sessionId, delegated.value.id, idempotencyKey, signal);
    } catch (error) {
      if (error instanceof MerchantUnavailableError) return unavailable(error.message);
      throw error;
    }
  }

  async function complete(
    quote: Quote,
    sessionId: string,
    token: string,
    idempotencyKey: string,
    signal: AbortSignal,
  ): Promise<PaymentResult> {
    const acp = client(quote);
    let lastProblem = '';
    for (let attempt = 1; attempt <= completeAttempts; attempt++) {
      if (attempt > 1) {
        // The merchant failed mid-checkout: look before retrying, in case it charged and completed anyway.
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        const read = await acp
          .retrieve(sessionId, signal)
          .catch((error: unknown) =>
            error instanceof MerchantUnavailableError ? undefined : Promise.reject(error),
          );
        if (read?.ok && read.value.status === 'completed' && read.value.order)
          return paid(quote, read.value, false, token);
      }
      try {
        const completed = await acp.complete(
          sessionId,
          {
            payment_data: { token, provider: 'stripe' },
            ...(options.buyer ? { buyer: options.buyer } : {}),
          },
          `${idempotencyKey}:complete`,
          signal,
        );
        if (completed.ok && completed.value.status === 'completed' && completed.value.order)
          return paid(quote, completed.value, false, token);
        if (completed.ok) {
          const codes = errorCodes(completed.value);
          if (codes.includes('payment_declined'))
            return {
              status: 'failed',
              reason: 'declined',
              message: `The payment was declined: ${errorText(completed.value)} Nothing was charged.`,
              mayHaveCharged: false,
            };
          if (codes.includes('out_of_stock'))
            return {
              status: 'failed',
              reason: 'out_of_stock',
              message: `${quote.merchant.id}: ${errorText(completed.value)} Nothing was charged.`,
              mayHaveCharged: false,
            };
          return {
            status: 'failed',
            reason: 'rejected',
            message: `${quote.merchant.id} did not complete the order: ${errorText(completed.value) || completed.value.status}. Nothing was charged.`,
            mayHaveCharged: false,
          };
        }
        if (completed.status < 500)
          return {
            status: 'failed',
            reason: 'rejected',
            message: `${quote.merchant.id} refused to complete the order: ${completed.message}. Nothing was charged.`,
            mayHaveCharged: false,
          };
        lastProblem = completed.message;
      } catch (error) {
        if (!(error instanceof MerchantUnavailableError)) throw error;
        lastProblem = error.message;
      }
    }
    return {
      status: 'failed',
      reason: 'unconfirmed',
      message: `${quote.merchant.id} failed while completing the order (${lastProblem}). Its payment token allows one charge of at most the approved total for this checkout session only, so there is at most one charge; whether it happened, the merchant has not confirmed. Retrying this purchase checks the order first.`,
      mayHaveCharged: true,
    };
  }

  return { rail: 'acp', quote: createQuote, pay };
}

export { AcpProtocolError };

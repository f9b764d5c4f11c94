/** The ACP rail against the demo merchant on loopback: real HTTP, real idempotency, the PSP's ledger. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../../config/secret.ts';
import { lookupProduct } from '../catalog-search.ts';
import { createDemoMerchant, type DemoMerchant } from '../demo-merchant/demo-merchant.ts';
import { DEMO_PRODUCTS } from '../demo-merchant/demo-catalog.ts';
import { defaultControls } from '../demo-merchant/merchant-controls.ts';
import { TEST_CARDS } from '../demo-merchant/demo-psp.ts';
import { merchantFromConfig, type Merchant } from '../merchant-directory.ts';
import type { PaymentRail, Quote } from '../payment-rail.ts';
import { checkCheckout } from './acp-schemas.ts';
import { createAcpRail } from './acp-rail.ts';

const shipTo = {
  name: 'Ada Lovelace',
  line_one: '12 Analytical Row',
  city: 'London',
  state: 'LDN',
  country: 'GB',
  postal_code: 'N1 9GU',
};
const signal = new AbortController().signal;
const card = (number: string) => ({
  number: new Secret(number),
  exp_month: '12',
  exp_year: '2030',
  funding: 'credit' as const,
});

describe('ACP rail against the demo merchant', () => {
  let shop: DemoMerchant;
  let merchant: Merchant;
  const rail: PaymentRail = createAcpRail({ timeoutMilliseconds: 2_000, completeAttempts: 3 });
  let key = 0;
  const nextKey = () => `prop_test_${++key}`;

  beforeAll(async () => {
    shop = createDemoMerchant();
    merchant = merchantFromConfig(
      { id: shop.id, baseUrl: await shop.listen() },
      card(TEST_CARDS.pays),
    );
  });
  afterAll(() => shop.close());
  afterEach(() => {
    Object.assign(shop.controls, defaultControls());
    for (const product of DEMO_PRODUCTS) {
      shop.catalog.setPrice(product.id, product.price);
      shop.catalog.setStock(product.id, product.stock);
    }
  });

  async function quote(productId: string, quantity: number, at = merchant): Promise<Quote> {
    const found = await lookupProduct(at, productId, { timeoutMilliseconds: 2_000, signal });
    if (found.status !== 'found') throw new Error(found.message);
    const quoted = await rail.quote(
      { merchant: at, product: found.product, quantity, shipTo },
      signal,
    );
    if (quoted.status !== 'quoted') throw new Error(quoted.message);
    return quoted.quote;
  }
  const chargesFor = (quoteToPay: Quote) =>
    shop.charges.filter(
      (charge) => charge.checkoutSessionId === quoteToPay.state.checkoutSessionId,
    );

  it('quotes two packs of A4 paper with shipping and tax, pays once, and a retry under the same key charges nothing more', async () => {
    const quoted = await quote('paper-a4-500', 2);
    expect(quoted.lines).toEqual([
      {
        productId: 'paper-a4-500',
        title: 'A4 copy paper, 80 g/m², 500 sheets',
        quantity: 2,
        unitAmount: 649,
      },
    ]);
    expect({
      shipping: quoted.fulfillmentAmount,
      tax: quoted.taxAmount,
      total: quoted.totalAmount,
    }).toEqual({ shipping: 499, tax: 104, total: 1901 });
    const paymentKey = nextKey();
    const paid = await rail.pay(
      quoted,
      { idempotencyKey: paymentKey, approvedTotal: 1901, expiresAt: quoted.expiresAt },
      signal,
    );
    expect(paid).toMatchObject({
      status: 'paid',
      alreadyPaid: false,
      receipt: { rail: 'acp', merchantId: 'demo-merchant', totalAmount: 1901, currency: 'usd' },
    });
    const again = await rail.pay(
      quoted,
      { idempotencyKey: paymentKey, approvedTotal: 1901, expiresAt: quoted.expiresAt },
      signal,
    );
    expect(again).toMatchObject({ status: 'paid', alreadyPaid: true });
    expect(chargesFor(quoted).map((charge) => charge.amount)).toEqual([1901]);
  });

  it("answers with sessions that match ACP's CheckoutSession schema", async () => {
    const quoted = await quote('pens-blue-10', 1);
    const response = await fetch(
      `${merchant.baseUrl}/checkout_sessions/${String(quoted.state.checkoutSessionId)}`,
    );
    expect(checkCheckout('CheckoutSession', await response.json())).toEqual({
      valid: true,
      problems: [],
    });
  });

  it('returns a new quote and charges nothing when the price rose after the quote; the new total then pays', async () => {
    const quoted = await quote('coffee-beans-1kg', 1);
    shop.catalog.setPrice('coffee-beans-1kg', 2150);
    const changed = await rail.pay(
      quoted,
      { idempotencyKey: nextKey(), approvedTotal: quoted.totalAmount, expiresAt: quoted.expiresAt },
      signal,
    );
    expect(changed.status).toBe('price_changed');
    expect(chargesFor(quoted)).toEqual([]);
    const newQuote = (changed as { quote: Quote }).quote;
    expect(newQuote.totalAmount).toBeGreaterThan(quoted.totalAmount);
    const paid = await rail.pay(
      newQuote,
      {
        idempotencyKey: nextKey(),
        approvedTotal: newQuote.totalAmount,
        expiresAt: newQuote.expiresAt,
      },
      signal,
    );
    expect(paid.status).toBe('paid');
    expect(chargesFor(quoted).map((charge) => charge.amount)).toEqual([newQuote.totalAmount]);
  });

  it.each(['after_charge', 'before_charge'] as const)(
    'charges exactly once when the merchant fails mid-checkout (%s)',
    async (failure) => {
      const quoted = await quote('stapler', 1);
      shop.controls.failNextComplete = failure;
      const paid = await rail.pay(
        quoted,
        {
          idempotencyKey: nextKey(),
          approvedTotal: quoted.totalAmount,
          expiresAt: quoted.expiresAt,
        },
        signal,
      );
      expect(paid).toMatchObject({ status: 'paid', receipt: { totalAmount: quoted.totalAmount } });
      expect(chargesFor(quoted)).toHaveLength(1);
    },
  );

  it('reports a declined card and charges nothing', async () => {
    const declining = { ...merchant, card: card(TEST_CARDS.declines) };
    const quoted = await quote('dish-soap', 1, declining);
    const result = await rail.pay(
      quoted,
      { idempotencyKey: nextKey(), approvedTotal: quoted.totalAmount, expiresAt: quoted.expiresAt },
      signal,
    );
    expect(result).toMatchObject({ status: 'failed', reason: 'declined', mayHaveCharged: false });
    expect(chargesFor(quoted)).toEqual([]);
  });

  it('refuses to quote an item that is out of stock, and fails without charging when stock runs out before payment', async () => {
    const found = await lookupProduct(merchant, 'usb-c-cable', {
      timeoutMilliseconds: 2_000,
      signal,
    });
    if (found.status !== 'found') throw new Error(found.message);
    const refused = await rail.quote(
      { merchant, product: found.product, quantity: 1, shipTo },
      signal,
    );
    expect(refused).toMatchObject({ status: 'unavailable', reason: 'out_of_stock' });
    const quoted = await quote('pens-blue-10', 3);
    shop.catalog.setStock('pens-blue-10', 1);
    const result = await rail.pay(
      quoted,
      { idempotencyKey: nextKey(), approvedTotal: quoted.totalAmount, expiresAt: quoted.expiresAt },
      signal,
    );
    expect(result).toMatchObject({
      status: 'failed',
      reason: 'out_of_stock',
      mayHaveCharged: false,
    });
    expect(chargesFor(quoted)).toEqual([]);
  });

  it('fails clearly, charging nothing, when the merchant is down or too slow', async () => {
    const quoted = await quote('pens-blue-10', 1);
    shop.controls.down = true;
    expect(
      await rail.pay(
        quoted,
        {
          idempotencyKey: nextKey(),
          approvedTotal: quoted.totalAmount,
          expiresAt: quoted.expiresAt,
        },
        signal,
      ),
    ).toMatchObject({ status: 'failed', reason: 'merchant_unavailable', mayHaveCharged: false });
    shop.controls.down = false;
    shop.controls.delayMilliseconds = 3_000;
    const slowRail = createAcpRail({ timeoutMilliseconds: 200 });
    expect(
      await slowRail.pay(
        quoted,
        {
          idempotencyKey: nextKey(),
          approvedTotal: quoted.totalAmount,
          expiresAt: quoted.expiresAt,
        },
        signal,
      ),
    ).toMatchObject({ status: 'failed', reason: 'merchant_unavailable' });
    expect(chargesFor(quoted)).toEqual([]);
  });

  it('caps the delegated token at the approved total: the PSP refuses a larger charge', async () => {
    const response = await fetch(`${merchant.baseUrl}/agentic_commerce/delegate_payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': nextKey() },
      body: JSON.stringify({
        payment_method: {
          type: 'card',
          card_number_type: 'fpan',
          number: TEST_CARDS.pays,
          display_card_funding_type: 'credit',
          metadata: {},
        },
        allowance: {
          reason: 'one_time',
          max_amount: 100,
          currency: 'usd',
          checkout_session_id: 'cs_x',
          merchant_id: 'demo-merchant',
          expires_at: new Date(Date.now() + 60_000).toISOString(),
        },
        risk_signals: [{ type: 'card_testing', score: 0, action: 'authorized' }],
        metadata: {},
      }),
    });
    expect(response.status).toBe(201);
    const token = ((await response.json()) as { id: string }).id;
    const quoted = await quote('stapler', 1);
    const completed = await fetch(
      `${merchant.baseUrl}/checkout_sessions/${String(quoted.state.checkoutSessionId)}/complete`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': nextKey() },
        body: JSON.stringify({ payment_data: { token, provider: 'stripe' } }),
      },
    );
    const session = (await completed.json()) as {
      status: string;
      messages: Array<{ code?: string }>;
    };
    expect(session.status).toBe('ready_for_payment');
    expect(session.messages.map((message) => message.code)).toContain('payment_declined');
    expect(chargesFor(quoted)).toEqual([]);
  });
});

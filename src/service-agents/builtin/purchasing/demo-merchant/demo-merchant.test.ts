/** The demo merchant keeps ACP's rules itself: idempotency keys, schema-checked requests, 405 on a closed session. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoMerchant, type DemoMerchant } from './demo-merchant.ts';

describe('demo merchant (ACP rules)', () => {
  let shop: DemoMerchant;
  let url: string;
  beforeAll(async () => {
    shop = createDemoMerchant({ testControls: true });
    url = await shop.listen();
  });
  afterAll(() => shop.close());

  const post = (path: string, body: unknown, key?: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('replays the stored answer for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const first = await post(
      '/checkout_sessions',
      { items: [{ id: 'pens-blue-10', quantity: 1 }] },
      'key-1',
    );
    const replay = await post(
      '/checkout_sessions',
      { items: [{ id: 'pens-blue-10', quantity: 1 }] },
      'key-1',
    );
    expect(first.status).toBe(201);
    expect(((await replay.json()) as { id: string }).id).toBe(
      ((await first.json()) as { id: string }).id,
    );
    const conflict = await post(
      '/checkout_sessions',
      { items: [{ id: 'pens-blue-10', quantity: 2 }] },
      'key-1',
    );
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ type: 'request_not_idempotent' });
  });

  it('refuses a POST without an Idempotency-Key, and a body that does not match the ACP schema', async () => {
    expect(
      (await post('/checkout_sessions', { items: [{ id: 'pens-blue-10', quantity: 1 }] })).status,
    ).toBe(400);
    const invalid = await post(
      '/checkout_sessions',
      { items: [{ id: 'pens-blue-10', quantity: 0 }] },
      'key-2',
    );
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string }).message).toContain(
      '/items/0/quantity must be >= 1',
    );
  });

  it('will not update a canceled session, and test controls change prices for new quotes', async () => {
    const session = (await (
      await post('/checkout_sessions', { items: [{ id: 'dish-soap', quantity: 1 }] }, 'key-3')
    ).json()) as { id: string };
    expect((await post(`/checkout_sessions/${session.id}/cancel`, {}, 'key-4')).status).toBe(200);
    expect(
      (
        await post(
          `/checkout_sessions/${session.id}`,
          { fulfillment_option_id: 'standard' },
          'key-5',
        )
      ).status,
    ).toBe(405);
    await post('/_demo/controls', { prices: { 'dish-soap': 999 } });
    const found = (await (await fetch(`${url}/catalog/products/dish-soap`)).json()) as {
      price: { amount: number };
    };
    expect(found.price.amount).toBe(999);
  });
});

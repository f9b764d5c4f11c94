/** The agent's own guards, before any policy: the user's limit, the server ceiling, the allowlist, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../config/secret.ts';
import type { AgentContext } from '../../builtin-agent.ts';
import { createAcpRail } from './acp/acp-rail.ts';
import { createDemoMerchant, type DemoMerchant } from './demo-merchant/demo-merchant.ts';
import { TEST_CARDS } from './demo-merchant/demo-psp.ts';
import { createMerchantDirectory, merchantFromConfig } from './merchant-directory.ts';
import { createPurchasingAgent } from './purchasing-agent.ts';
import type { PaymentRail } from './payment-rail.ts';

const context: AgentContext = {
  projectId: 'proj_1',
  serviceAgentId: 'sa_1',
  runId: 'run_1',
  threadId: 'thread_1',
  signal: new AbortController().signal,
  progress: () => {},
};
const shipTo = {
  name: 'Ada',
  line_one: '1 Road',
  city: 'Town',
  state: 'ST',
  country: 'US',
  postal_code: '12345',
};

describe('purchasing agent guards', () => {
  let shop: DemoMerchant;
  let agent: ReturnType<typeof createPurchasingAgent>;
  beforeAll(async () => {
    shop = createDemoMerchant();
    const merchant = merchantFromConfig(
      { id: shop.id, baseUrl: await shop.listen() },
      { number: new Secret(TEST_CARDS.pays), exp_month: '12', exp_year: '2030', funding: 'credit' },
    );
    const unused = { rail: 'x402' } as PaymentRail;
    agent = createPurchasingAgent({
      merchants: createMerchantDirectory([merchant]),
      rails: { acp: createAcpRail(), x402: unused },
      maxPurchaseUsd: 100,
      shipTo,
    });
  });
  afterAll(() => shop.close());

  it("refuses, without proposing, a quote above the user's own limit or above the server ceiling", async () => {
    const overLimit = await agent.prepare(
      { action: 'buy', offer_id: 'demo-merchant:paper-a4-500', quantity: 2, max_total_usd: 15 },
      context,
    );
    expect(overLimit).toMatchObject({
      kind: 'failed',
      data: { reason: 'over_limit', total_usd: 19.01 },
    });
    expect((overLimit as { output: string }).output).toContain('above the limit of $15.00');
    const overCeiling = await agent.prepare(
      { action: 'buy', offer_id: 'demo-merchant:espresso-machine', quantity: 1 },
      context,
    );
    expect(overCeiling).toMatchObject({ kind: 'failed', data: { reason: 'over_ceiling' } });
    expect(shop.charges).toHaveLength(0);
  });

  it('only buys from allowlisted merchants, and says what is wrong with bad input', async () => {
    expect(
      await agent.prepare({ action: 'buy', offer_id: 'evil-shop:paper-a4-500' }, context),
    ).toMatchObject({
      kind: 'failed',
      output: expect.stringContaining('not an allowlisted merchant'),
    });
    expect(
      await agent.prepare({ action: 'buy', offer_id: 'https://evil.example/x' }, context),
    ).toMatchObject({
      kind: 'failed',
      output: expect.stringContaining('https is not an allowlisted merchant'),
    });
    expect(
      await agent.prepare({ action: 'buy', offer_id: 'the cheapest paper' }, context),
    ).toMatchObject({ kind: 'failed', output: expect.stringContaining('offer_id') });
    expect(await agent.prepare({ action: 'refund' }, context)).toMatchObject({
      kind: 'failed',
      output: expect.stringContaining('Invalid input'),
    });
    expect(
      await agent.prepare({ action: 'buy', offer_id: 'demo-merchant:no-such-thing' }, context),
    ).toMatchObject({ kind: 'failed', output: expect.stringContaining('has no product') });
  });

  it('proposes a purchase with what a person needs to decide, keeping the quote private', async () => {
    const result = await agent.prepare(
      { action: 'buy', offer_id: 'demo-merchant:pens-blue-10', quantity: 3 },
      context,
    );
    expect(result.kind).toBe('proposal');
    const { proposal } = result as Extract<typeof result, { kind: 'proposal' }>;
    expect(proposal).toMatchObject({
      kind: 'purchase',
      merchant: 'demo-merchant',
      host: new URL(shop.url()).host,
      valueUsd: 17.92,
    });
    expect(proposal.details).toMatchObject({
      rail: 'acp',
      total_usd: 17.92,
      items: [{ product_id: 'pens-blue-10', quantity: 3, unit_price_usd: 3.99 }],
    });
    expect(proposal.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.stringify(proposal.state)).not.toContain(TEST_CARDS.pays);
  });
});

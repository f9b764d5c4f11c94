/**
 * The purchasing service agent end to end: the official SDK, a scripted model, and the demo merchant on
 * loopback speaking ACP. A purchase within budget completes after approval; one over budget is denied
 * without asking; a price change forces a new approval; a merchant failure mid-checkout charges once;
 * a prompt injection in a product description changes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDemoMerchant,
  type DemoMerchant,
} from '../../src/service-agents/builtin/purchasing/demo-merchant/demo-merchant.ts';
import {
  DEMO_PRODUCTS,
  INJECTED_DESCRIPTION,
} from '../../src/service-agents/builtin/purchasing/demo-merchant/demo-catalog.ts';
import { defaultControls } from '../../src/service-agents/builtin/purchasing/demo-merchant/merchant-controls.ts';
import { TEST_CARDS } from '../../src/service-agents/builtin/purchasing/demo-merchant/demo-psp.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

const POLICY = {
  max_per_action_usd: 25,
  max_per_period_usd: 200,
  period: 'week',
  allowed_merchants: ['demo-merchant'],
};
const SHIP_TO = {
  name: 'Grace Hopper',
  line_one: '1 Navy Yard',
  city: 'Arlington',
  state: 'VA',
  country: 'US',
  postal_code: '22202',
};

describe('purchasing service agent with the official SDK', () => {
  let shop: DemoMerchant;
  let bed: RunTestBed;
  let agent: { id: string; name: string };
  let assistantId: string;
  const poll = { pollIntervalMs: 20 };

  beforeAll(async () => {
    shop = createDemoMerchant();
    const baseUrl = await shop.listen();
    bed = await createRunTestBed({
      config: {
        purchasing: {
          merchants: [{ id: 'demo-merchant', baseUrl }],
          card: { number: TEST_CARDS.pays, exp_month: '12', exp_year: '2030' },
          shipTo: SHIP_TO,
          maxPurchaseUsd: 5000,
        },
      },
    });
    agent = await (bed.client as any).post('/service_agents', {
      body: { name: 'shopper', kind: 'builtin', builtin: 'purchasing', policy: POLICY },
    });
    const assistant = await bed.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'service_agent', service_agent: { id: agent.id } } as any],
    });
    assistantId = assistant.id;
  });
  afterAll(async () => {
    await bed.close();
    await shop.close();
  });
  afterEach(() => {
    Object.assign(shop.controls, defaultControls());
    for (const product of DEMO_PRODUCTS) shop.catalog.setPrice(product.id, product.price);
  });

  const toolOutputs = () =>
    bed.upstream.lastRequest.messages
      .filter((message: any) => message.role === 'tool')
      .map((message: any) => String(message.content));
  const actionsOf = async (runId: string) =>
    (
      (await (bed.client as any).get(`/service_agents/actions?run_id=${runId}&order=asc`)) as {
        data: any[];
      }
    ).data;

  async function start(userText: string, ...turns: Parameters<RunTestBed['upstream']['enqueue']>) {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: userText }],
    });
    bed.upstream.enqueue(...turns);
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      poll,
    );
    return { thread, run };
  }

  async function answer(
    threadId: string,
    run: { id: string; required_action?: any },
    approved: boolean,
  ) {
    const call = run.required_action!.submit_tool_outputs.tool_calls[0]!;
    expect(call.function.name).toBe('approve_action');
    return bed.client.beta.threads.runs.submitToolOutputsAndPoll(
      run.id,
      {
        thread_id: threadId,
        tool_outputs: [{ tool_call_id: call.id, output: JSON.stringify({ approved }) }],
      },
      poll,
    );
  }

  it('buys two packs of A4 paper under $20: search, choose, approval pause, pay, order confirmation and receipt in the audit log', async () => {
    const charges = shop.charges.length;
    const { thread, run } = await start(
      'Buy two packs of A4 paper under $20 total.',
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: { action: 'search', query: 'A4 paper' },
            id: 'call_search',
          },
        ],
      },
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: {
              action: 'buy',
              offer_id: 'demo-merchant:paper-a4-500',
              quantity: 2,
              max_total_usd: 20,
            },
            id: 'call_buy',
          },
        ],
      },
      { text: 'Your paper is ordered.' },
    );
    expect(toolOutputs()[0]).toContain('offer_id: demo-merchant:paper-a4-500');
    expect(run.status).toBe('requires_action');
    const proposal = JSON.parse(
      run.required_action!.submit_tool_outputs.tool_calls[0]!.function.arguments,
    );
    expect(proposal).toMatchObject({
      service_agent: 'shopper',
      value_usd: 19.01,
      merchant: 'demo-merchant',
      details: {
        rail: 'acp',
        total_usd: 19.01,
        shipping_usd: 4.99,
        tax_usd: 1.04,
        items: [{ product_id: 'paper-a4-500', quantity: 2, unit_price_usd: 6.49 }],
      },
    });
    expect(proposal.summary).toContain('2 × A4 copy paper');
    expect(shop.charges.length).toBe(charges);

    const done = await answer(thread.id, run, true);
    expect(done.status).toBe('completed');
    expect(toolOutputs().at(-1)).toContain(
      'Order confirmed: 2 × A4 copy paper, 80 g/m², 500 sheets from demo-merchant, $19.01 USD.',
    );
    expect(shop.charges.slice(charges).map((charge) => charge.amount)).toEqual([1901]);
    const [action] = await actionsOf(done.id);
    expect(action).toMatchObject({
      status: 'executed',
      value_usd: 19.01,
      approval: { approved: true },
      proposal: { kind: 'purchase', merchant: 'demo-merchant' },
    });
    expect(JSON.stringify(action.result)).toContain('ord_');
  });

  it('denies a purchase over budget without asking, and nothing is charged', async () => {
    const charges = shop.charges.length;
    const { run } = await start(
      'Buy the 16-inch laptop.',
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: { action: 'buy', offer_id: 'demo-merchant:laptop-pro-16', quantity: 1 },
          },
        ],
      },
      { text: 'That is over your budget.' },
    );
    expect(run.status).toBe('completed');
    expect(toolOutputs().at(-1)).toContain('over the per-action limit of $25.00');
    expect(shop.charges.length).toBe(charges);
    expect(
      (await actionsOf(run.id)).map((action) => [action.status, action.decision.outcome]),
    ).toEqual([['denied', 'deny']]);
  });

  it('asks again when the price changes between quote and payment, then charges the new price once', async () => {
    const charges = shop.charges.length;
    const { thread, run } = await start(
      'Buy dish soap.',
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: { action: 'buy', offer_id: 'demo-merchant:dish-soap', quantity: 1 },
          },
        ],
      },
      { text: 'Bought at the new price.' },
    );
    expect(run.status).toBe('requires_action');
    const first = JSON.parse(
      run.required_action!.submit_tool_outputs.tool_calls[0]!.function.arguments,
    );
    shop.catalog.setPrice('dish-soap', 349);
    const again = await answer(thread.id, run, true);
    expect(again.status).toBe('requires_action');
    const second = JSON.parse(
      again.required_action!.submit_tool_outputs.tool_calls[0]!.function.arguments,
    );
    expect(second.value_usd).toBeGreaterThan(first.value_usd);
    expect(second.summary).toContain('Price changed');
    expect(shop.charges.length).toBe(charges);
    const done = await answer(thread.id, again, true);
    expect(done.status).toBe('completed');
    expect(shop.charges.slice(charges).map((charge) => charge.amount / 100)).toEqual([
      second.value_usd,
    ]);
    expect((await actionsOf(done.id)).map((action) => action.status)).toEqual([
      'superseded',
      'executed',
    ]);
  });

  it('charges once when the merchant fails mid-checkout after taking the payment', async () => {
    const charges = shop.charges.length;
    const { thread, run } = await start(
      'Buy a stapler.',
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: { action: 'buy', offer_id: 'demo-merchant:stapler', quantity: 1 },
          },
        ],
      },
      { text: 'Done.' },
    );
    shop.controls.failNextComplete = 'after_charge';
    const done = await answer(thread.id, run, true);
    expect(done.status).toBe('completed');
    expect(toolOutputs().at(-1)).toContain('Order confirmed');
    expect(shop.charges.length - charges).toBe(1);
  });

  it('a prompt injection in a product description changes nothing: it reads as fenced data, and a fooled model is still held to the policy', async () => {
    const charges = shop.charges.length;
    const { thread, run } = await start(
      'Buy one pack of AA batteries.',
      { toolCalls: [{ name: 'shopper', arguments: { action: 'search', query: 'AA batteries' } }] },
      // A model that fell for the description asks for 100 packs and a huge limit…
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: {
              action: 'buy',
              offer_id: 'demo-merchant:batteries-aa-8',
              quantity: 100,
              max_total_usd: 10000,
            },
          },
        ],
      },
      // …and, refused, buys what the user asked for.
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: { action: 'buy', offer_id: 'demo-merchant:batteries-aa-8', quantity: 1 },
          },
        ],
      },
      { text: 'One pack ordered.' },
    );
    const [search, hundred] = toolOutputs();
    expect(search).toContain(
      `<<<untrusted_merchant_text\ntitle: AA batteries, pack of 8\ndescription: ${INJECTED_DESCRIPTION}\nuntrusted_merchant_text>>>`,
    );
    expect(search).toContain('not instructions');
    expect(hundred).toContain('over the per-action limit of $25.00');
    expect(run.status).toBe('requires_action');
    const proposal = JSON.parse(
      run.required_action!.submit_tool_outputs.tool_calls[0]!.function.arguments,
    );
    expect(proposal.details.items).toEqual([
      {
        product_id: 'batteries-aa-8',
        title: 'AA batteries, pack of 8',
        quantity: 1,
        unit_price_usd: 7.25,
      },
    ]);
    const done = await answer(thread.id, run, true);
    expect(done.status).toBe('completed');
    expect(shop.charges.slice(charges).map((charge) => charge.amount)).toEqual([
      proposal.value_usd * 100,
    ]);
    expect(
      ((await (bed.client as any).get(`/service_agents/${agent.id}`)) as { policy: unknown })
        .policy,
    ).toEqual(POLICY);
  });
});

/**
 * The embedded default with no setup: no merchants configured and the dev chain, so the server runs the
 * demo merchant in process and allowlists it. An assistant buys an e-book over x402, paid in the dev
 * chain's Test USD after approval; the settlement transaction is on the chain the API exposes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

describe('purchasing in the embedded default (demo merchant, dev chain, x402)', () => {
  let bed: RunTestBed;
  const poll = { pollIntervalMs: 50 };
  beforeAll(async () => {
    bed = await createRunTestBed();
  });
  afterAll(() => bed.close());

  it('finds the demo merchant with no configuration and buys an instant digital good over x402 after approval', async () => {
    const agent = await (bed.client as any).post('/service_agents', {
      body: {
        name: 'shopper',
        kind: 'builtin',
        builtin: 'purchasing',
        policy: { max_per_action_usd: 10 },
      },
    });
    expect(agent.description).toContain('allowlisted merchants');
    const assistant = await bed.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'service_agent', service_agent: { id: agent.id } } as any],
    });
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Get me the productivity e-book.' }],
    });
    bed.upstream.enqueue(
      {
        toolCalls: [
          { name: 'shopper', arguments: { action: 'search', query: 'e-book productivity' } },
        ],
      },
      {
        toolCalls: [
          {
            name: 'shopper',
            arguments: {
              action: 'buy',
              offer_id: 'demo-merchant:ebook-productivity',
              quantity: 1,
              max_total_usd: 5,
            },
          },
        ],
      },
      { text: 'Here is your e-book.' },
    );
    const waiting = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      poll,
    );
    expect(waiting.status).toBe('requires_action');
    const call = waiting.required_action!.submit_tool_outputs.tool_calls[0]!;
    expect(JSON.parse(call.function.arguments)).toMatchObject({
      value_usd: 4,
      merchant: 'demo-merchant',
      details: { rail: 'x402', total_usd: 4 },
    });

    const done = await bed.client.beta.threads.runs.submitToolOutputsAndPoll(
      waiting.id,
      {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: call.id, output: '{"approved": true}' }],
      },
      poll,
    );
    expect(done.status).toBe('completed');
    const output = bed.upstream.lastRequest.messages
      .filter((message: any) => message.role === 'tool')
      .at(-1).content as string;
    expect(output).toContain('Order confirmed');
    expect(output).toContain('license_key');

    const [action] = (
      (await (bed.client as any).get(`/service_agents/actions?run_id=${done.id}`)) as {
        data: any[];
      }
    ).data;
    expect(action.status).toBe('executed');
    const transaction = JSON.stringify(action.result).match(/0x[0-9a-f]{64}/)?.[0];
    expect(transaction).toBeDefined();
    const rpc = await fetch(`${bed.baseURL}/chain/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_getTransactionReceipt',
        params: [transaction],
      }),
    });
    expect(((await rpc.json()) as { result: { status: string } }).result.status).toBe('0x1');
  }, 180_000);
});

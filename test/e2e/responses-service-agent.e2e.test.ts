/**
 * A service agent's approval through the Responses API, with the official SDK against a listening
 * server and a scripted model: a response with a `service_agent` tool whose policy asks a person
 * completes with an `approve_action` function_call item; a response chained by previous_response_id
 * with a `function_call_output` answers it. Approved, the action executes exactly once and the
 * model's answer arrives; declined, nothing executes. SQLite, and PostgreSQL when reachable.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { createTestPaymentsAgent, type TestPaymentsAgent } from '../helpers/test-payments-agent.ts';

type Response = OpenAI.Responses.Response;

function api(client: OpenAI) {
  return <T = any>(method: 'get' | 'post', path: string, body?: unknown) =>
    (client as any)[method](path, body === undefined ? undefined : { body }) as Promise<T>;
}

/** A payments agent whose policy lets $5 through and asks a person above that. */
async function payingAgent(client: OpenAI) {
  return api(client)('post', '/service_agents', {
    name: `pay_${Math.random().toString(36).slice(2, 8)}`,
    kind: 'builtin',
    builtin: 'test_payments',
    policy: { auto_approve_below_usd: 5, max_per_action_usd: 100 },
  });
}

async function actionsOf(client: OpenAI, agentId: string): Promise<any[]> {
  return (
    await api(client)(
      'get',
      `/service_agents/actions?service_agent_id=${agentId}&order=asc&limit=100`,
    )
  ).data;
}

/** The one `approve_action` call a response ended on. */
function approvalCall(response: Response) {
  const calls = response.output.filter((item) => item.type === 'function_call');
  expect(calls).toHaveLength(1);
  const call = calls[0] as OpenAI.Responses.ResponseFunctionToolCall;
  expect(call.name).toBe('approve_action');
  expect(call.status).toBe('completed');
  return call;
}

describe.each(testDatabases)(
  'a service-agent approval through the Responses API (%s)',
  (database) => {
    let bed: RunTestBed;
    let client: OpenAI;
    let payments: TestPaymentsAgent;

    beforeAll(async () => {
      payments = createTestPaymentsAgent();
      bed = await createRunTestBed({ database, overrides: { builtinAgents: [payments] } });
      client = bed.client;
      // The model calls the offered agent with the user's message as arguments, then reports back
      // what the agent told it.
      bed.upstream.respondWith((body) => {
        const last = body.messages.at(-1);
        if (last.role === 'tool') return { text: `Reported back: ${last.content}` };
        return {
          toolCalls: [{ name: body.tools[0].function.name, arguments: JSON.parse(last.content) }],
        };
      });
    });
    afterAll(() => bed.close());

    /** A response asking the agent to pay `amount` dollars: it ends waiting on the approval. */
    async function proposePayment(agentId: string, amount: number) {
      const tools = [{ type: 'service_agent', service_agent: { id: agentId } } as any];
      const first = await client.responses.create({
        model: 'gpt-4o',
        input: JSON.stringify({ amount_usd: amount }),
        tools,
      });
      expect(first.status).toBe('completed');
      const call = approvalCall(first);
      const [action] = await actionsOf(client, agentId);
      expect(action).toMatchObject({ status: 'pending_approval' });
      return { first, call, tools, action };
    }

    it('approved with function_call_output: the action executes once and the answer arrives', async () => {
      const agent = await payingAgent(client);
      const before = payments.executions.length;
      const { first, call, tools, action } = await proposePayment(agent.id, 42);
      expect(JSON.parse(call.arguments)).toMatchObject({ action_id: action.id });
      expect(payments.executions.length).toBe(before);

      const second = await client.responses.create({
        model: 'gpt-4o',
        previous_response_id: first.id,
        input: [
          { type: 'function_call_output', call_id: call.call_id, output: '{"approved": true}' },
        ],
        tools,
      });
      expect(second.status).toBe('completed');
      expect(second.previous_response_id).toBe(first.id);
      expect(second.output.map((item) => item.type)).toEqual(['message']);
      expect(second.output_text).toMatch(/^Reported back: .*Paid \$42\.00; receipt r-\d+/s);
      expect(payments.executions.length - before).toBe(1);

      const detail = await api(client)('get', `/service_agents/actions/${action.id}`);
      expect(detail).toMatchObject({ status: 'executed', approval: { approved: true } });
      expect(detail.transitions.map((step: any) => step.to)).toEqual([
        'pending_approval',
        'approved',
        'executing',
        'executed',
      ]);
      expect(await actionsOf(client, agent.id)).toHaveLength(1);
      expect((await client.responses.retrieve(second.id)).output_text).toBe(second.output_text);

      // Answering the same call again forks a new run from the first response (as any
      // function_call_output on a chain does): its model reads the answer, and nothing executes.
      const again = await client.responses.create({
        model: 'gpt-4o',
        previous_response_id: first.id,
        input: [
          { type: 'function_call_output', call_id: call.call_id, output: '{"approved": true}' },
        ],
        tools,
      });
      expect(again.status).toBe('completed');
      expect(payments.executions.length - before).toBe(1);
      expect(
        (await api(client)('get', `/service_agents/actions/${action.id}`)).transitions,
      ).toEqual(detail.transitions);
    });

    it('two responses answering one approval at the same time execute it once', async () => {
      const agent = await payingAgent(client);
      const before = payments.executions.length;
      const { first, call, tools, action } = await proposePayment(agent.id, 42);
      const answer = () =>
        client.responses.create({
          model: 'gpt-4o',
          previous_response_id: first.id,
          input: [
            { type: 'function_call_output', call_id: call.call_id, output: '{"approved": true}' },
          ],
          tools,
        });
      const results = await Promise.allSettled([answer(), answer(), answer()]);
      for (const result of results.filter((candidate) => candidate.status === 'rejected'))
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(OpenAI.BadRequestError);
      const answered = results.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      expect(answered.length).toBeGreaterThanOrEqual(1);
      for (const response of answered) expect(response.status).toBe('completed');
      expect(
        answered.filter((response) => /Paid \$42\.00/.test(response.output_text)),
      ).toHaveLength(1);
      expect(payments.executions.length - before).toBe(1);
      expect(await api(client)('get', `/service_agents/actions/${action.id}`)).toMatchObject({
        status: 'executed',
      });
    });

    it('declined with function_call_output: nothing executes and the model hears why', async () => {
      const agent = await payingAgent(client);
      const before = payments.executions.length;
      const { first, call, tools, action } = await proposePayment(agent.id, 42);

      const second = await client.responses.create({
        model: 'gpt-4o',
        previous_response_id: first.id,
        input: [
          {
            type: 'function_call_output',
            call_id: call.call_id,
            output: '{"approved": false, "reason": "too expensive"}',
          },
        ],
        tools,
      });
      expect(second.status).toBe('completed');
      expect(second.output_text).toMatch(/^Reported back: .*declined.*too expensive/s);
      expect(payments.executions.length).toBe(before);
      const detail = await api(client)('get', `/service_agents/actions/${action.id}`);
      expect(detail).toMatchObject({ status: 'declined', approval: { approved: false } });
      expect(detail.transitions.at(-1)).toMatchObject({ from: 'pending_approval', to: 'declined' });
    });
  },
);

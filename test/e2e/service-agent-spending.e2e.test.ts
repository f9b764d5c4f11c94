/**
 * The money path end to end with the official SDK: spending limits hold under truly parallel runs
 * (on SQLite, on PostgreSQL, and with two nodes on one PostgreSQL database), approvals are checked
 * against the current policy, and reservations are released when an action ends without executing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import {
  dropSchema,
  newSchemaName,
  postgresAvailable,
  postgresTestUrl,
} from '../helpers/postgres.ts';
import { createRunTestBed, waitForRun, type RunTestBed } from '../helpers/run-test-bed.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { createTestPaymentsAgent, type TestPaymentsAgent } from '../helpers/test-payments-agent.ts';

const poll = { pollIntervalMs: 20 };
type Run = OpenAI.Beta.Threads.Run;

/** The model calls the offered agent with the user's message as arguments, then reports back. */
function scriptModel(upstream: ScriptedModel): void {
  upstream.respondWith((body) => {
    const last = body.messages.at(-1);
    if (last.role === 'tool') return { text: 'Reported back.' };
    return {
      toolCalls: [{ name: body.tools[0].function.name, arguments: JSON.parse(last.content) }],
    };
  });
}

function api(client: OpenAI) {
  return <T = any>(method: 'get' | 'post', path: string, body?: unknown) =>
    (client as any)[method](path, body === undefined ? undefined : { body }) as Promise<T>;
}

async function payingAssistant(client: OpenAI, policy: Record<string, unknown>) {
  const agent = await api(client)('post', '/service_agents', {
    name: `pay_${Math.random().toString(36).slice(2, 8)}`,
    kind: 'builtin',
    builtin: 'test_payments',
    policy,
  });
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o',
    tools: [{ type: 'service_agent', service_agent: { id: agent.id } } as any],
  });
  return { agent, assistantId: assistant.id };
}

async function pay(client: OpenAI, assistantId: string, args: Record<string, unknown>) {
  const thread = await client.beta.threads.create({
    messages: [{ role: 'user', content: JSON.stringify(args) }],
  });
  return client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId }, poll);
}

function answer(client: OpenAI, run: Run, output: Record<string, unknown>) {
  const call = run.required_action!.submit_tool_outputs.tool_calls[0]!;
  expect(call.function.name).toBe('approve_action');
  return client.beta.threads.runs.submitToolOutputsAndPoll(
    run.id,
    {
      thread_id: run.thread_id,
      tool_outputs: [{ tool_call_id: call.id, output: JSON.stringify(output) }],
    },
    poll,
  );
}

/** What the service agent call told the model, from the run's first step. */
async function agentOutput(client: OpenAI, run: Run): Promise<string> {
  const steps = await client.beta.threads.runs.steps.list(run.id, {
    thread_id: run.thread_id,
    order: 'asc',
  });
  return (steps.data[0]!.step_details as any).tool_calls[0].service_agent.output;
}

async function actionsOf(client: OpenAI, agentId: string): Promise<any[]> {
  return (
    await api(client)(
      'get',
      `/service_agents/actions?service_agent_id=${agentId}&order=asc&limit=100`,
    )
  ).data;
}

const TEN_ONE_DOLLAR_PURCHASES = {
  max_per_action_usd: 5,
  max_per_period_usd: 2,
  period: 'day',
  auto_approve_below_usd: 5,
};

describe.each([
  ['sqlite', true],
  ['postgres', postgresAvailable],
] as const)('spending limits under parallel runs (%s)', (database, available) => {
  let bed: RunTestBed;
  let payments: TestPaymentsAgent;
  beforeAll(async () => {
    if (!available) return;
    payments = createTestPaymentsAgent();
    bed = await createRunTestBed({ database, overrides: { builtinAgents: [payments] } });
    scriptModel(bed.upstream);
  });
  afterAll(() => bed?.close());

  it.runIf(available)('ten concurrent $1 purchases on a $2/day budget execute two', async () => {
    const { agent, assistantId } = await payingAssistant(bed.client, TEN_ONE_DOLLAR_PURCHASES);
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        pay(bed.client, assistantId, { amount_usd: 1, execution_ms: 1000 }),
      ),
    );
    expect(runs.map((run) => run.status)).toEqual(Array(10).fill('completed'));
    expect(payments.executions).toHaveLength(2);
    const actions = await actionsOf(bed.client, agent.id);
    expect(actions.filter((action) => action.status === 'executed')).toHaveLength(2);
    const denied = actions.filter((action) => action.status === 'denied');
    expect(denied).toHaveLength(8);
    for (const action of denied)
      expect(
        action.decision.rules.find((rule: any) => rule.rule === 'max_per_period_usd').reason,
      ).toMatch(/\$2\.00 already spent or reserved this day/);
  });
});

describe.runIf(postgresAvailable)(
  'spending limits with two nodes on one PostgreSQL database',
  () => {
    const schema = newSchemaName();
    let upstream: ScriptedModel;
    const nodes: Array<{ client: OpenAI; payments: TestPaymentsAgent; close(): Promise<void> }> =
      [];

    beforeAll(async () => {
      upstream = await startScriptedModel();
      scriptModel(upstream);
      // Two API nodes, each with its own worker, pool and data directory, on the same schema.
      for (let index = 0; index < 2; index++) {
        const store = await createPostgresStore({ connectionString: postgresTestUrl, schema });
        const dataDir = mkdtempSync(join(tmpdir(), 'concierge-node-'));
        const payments = createTestPaymentsAgent();
        const app = await createApp(
          ConfigSchema.parse({
            port: 0,
            logLevel: 'silent',
            dataDir,
            providerBaseUrl: upstream.url,
            modelTimeoutSeconds: 5,
          }),
          { store, logger: false, builtinAgents: [payments] },
        );
        const baseURL = await app.listen();
        nodes.push({
          client: new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 }),
          payments,
          async close() {
            await app.close();
            rmSync(dataDir, { recursive: true, force: true });
          },
        });
      }
    });
    afterAll(async () => {
      for (const node of nodes) await node.close();
      await upstream?.stop();
      await dropSchema(schema);
    });

    it('ten concurrent $1 purchases spread over both nodes execute two', async () => {
      const { agent, assistantId } = await payingAssistant(
        nodes[0]!.client,
        TEN_ONE_DOLLAR_PURCHASES,
      );
      const runs = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          pay(nodes[index % 2]!.client, assistantId, { amount_usd: 1, execution_ms: 1000 }),
        ),
      );
      expect(runs.map((run) => run.status)).toEqual(Array(10).fill('completed'));
      const executed = nodes.reduce((total, node) => total + node.payments.executions.length, 0);
      expect(executed).toBe(2);
      const statuses = (await actionsOf(nodes[1]!.client, agent.id)).map((action) => action.status);
      expect(statuses.filter((status) => status === 'executed')).toHaveLength(2);
      expect(statuses.filter((status) => status === 'denied')).toHaveLength(8);
    });
  },
);

describe('approvals are checked against the current policy', () => {
  let bed: RunTestBed;
  let payments: TestPaymentsAgent;
  let keyed: OpenAI;
  let keyId: string;
  beforeAll(async () => {
    payments = createTestPaymentsAgent();
    bed = await createRunTestBed({ overrides: { builtinAgents: [payments] } });
    scriptModel(bed.upstream);
    const key = await api(bed.client)('post', '/organization/projects/proj_default/api_keys', {
      name: 'approver',
    });
    keyId = key.id;
    keyed = new OpenAI({ baseURL: bed.baseURL, apiKey: key.value, maxRetries: 0 });
  });
  afterAll(() => bed.close());

  it('three $4 purchases under a $5 budget: one waits for approval, the others are denied', async () => {
    const { agent, assistantId } = await payingAssistant(bed.client, { max_per_period_usd: 5 });
    const before = payments.executions.length;
    const runs = await Promise.all(
      Array.from({ length: 3 }, () => pay(bed.client, assistantId, { amount_usd: 4 })),
    );
    const waiting = runs.filter((run) => run.status === 'requires_action');
    expect(waiting).toHaveLength(1);
    for (const run of runs.filter((candidate) => candidate.status === 'completed'))
      expect(await agentOutput(bed.client, run)).toMatch(
        /policy denied "Pay \$4\.00 to shop\.test".*\$4\.00 already spent or reserved this day/,
      );
    // Every waiting approval is answered yes, as a careless operator would.
    await Promise.all(waiting.map((run) => answer(bed.client, run, { approved: true })));
    expect(payments.executions.length - before).toBe(1);
    expect((await actionsOf(bed.client, agent.id)).map((action) => action.status).sort()).toEqual([
      'denied',
      'denied',
      'executed',
    ]);
  });

  it('three pending $4 purchases approved after the budget was cut to $5: one executes', async () => {
    const { agent, assistantId } = await payingAssistant(bed.client, { max_per_period_usd: 20 });
    const before = payments.executions.length;
    const runs = await Promise.all(
      Array.from({ length: 3 }, () => pay(bed.client, assistantId, { amount_usd: 4 })),
    );
    expect(runs.map((run) => run.status)).toEqual(Array(3).fill('requires_action'));
    await api(bed.client)('post', `/service_agents/${agent.id}`, {
      policy: { max_per_period_usd: 5 },
    });
    const done = await Promise.all(runs.map((run) => answer(keyed, run, { approved: true })));
    expect(done.map((run) => run.status)).toEqual(Array(3).fill('completed'));
    expect(payments.executions.length - before).toBe(1);
    const outputs = await Promise.all(done.map((run) => agentOutput(bed.client, run)));
    expect(outputs.filter((output) => output.includes('Paid $4.00'))).toHaveLength(1);
    const refusals = outputs.filter((output) => !output.includes('Paid $4.00'));
    expect(refusals).toHaveLength(2);
    for (const output of refusals)
      expect(output).toMatch(
        /policy denied "Pay \$4\.00 to shop\.test" when it was approved.*would exceed the limit of \$5\.00/,
      );
    const denied = (await actionsOf(bed.client, agent.id)).filter(
      (action) => action.status === 'denied',
    );
    expect(denied).toHaveLength(2);
    const detail = await api(bed.client)('get', `/service_agents/actions/${denied[0].id}`);
    expect(detail.approval).toMatchObject({ approved: true, key_id: keyId });
    expect(detail.transitions.at(-1)).toMatchObject({
      from: 'pending_approval',
      to: 'denied',
      decided_by: 'policy',
      key_id: keyId,
      reason: expect.stringMatching(/would exceed the limit of \$5\.00/),
    });
  });

  it('a purchase approved after the operator tightened the policy is denied', async () => {
    const { agent, assistantId } = await payingAssistant(bed.client, { max_per_action_usd: 10 });
    const before = payments.executions.length;
    const waiting = await pay(bed.client, assistantId, { amount_usd: 4 });
    expect(waiting.status).toBe('requires_action');
    await api(bed.client)('post', `/service_agents/${agent.id}`, {
      policy: { max_per_action_usd: 1 },
    });
    const done = await answer(keyed, waiting, { approved: true });
    expect(done.status).toBe('completed');
    expect(payments.executions.length).toBe(before);
    expect(await agentOutput(bed.client, done)).toMatch(
      /denied .* when it was approved, so nothing was done: \$4\.00 is over the per-action limit of \$1\.00/,
    );
    const [action] = await actionsOf(bed.client, agent.id);
    expect(action).toMatchObject({ status: 'denied', approval: { approved: true, key_id: keyId } });
  });

  it('two answers racing for one approval execute it once', async () => {
    const { assistantId } = await payingAssistant(bed.client, { always_ask: true });
    const before = payments.executions.length;
    const waiting = await pay(bed.client, assistantId, { amount_usd: 3 });
    const call = waiting.required_action!.submit_tool_outputs.tool_calls[0]!;
    const submit = () =>
      bed.client.beta.threads.runs.submitToolOutputs(waiting.id, {
        thread_id: waiting.thread_id,
        tool_outputs: [{ tool_call_id: call.id, output: '{"approved": true}' }],
      });
    const results = await Promise.allSettled([submit(), submit(), submit()]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((candidate) => candidate.status === 'rejected'))
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(OpenAI.BadRequestError);
    const done = await waitForRun(bed.client, waiting.thread_id, waiting.id, (run) =>
      ['completed', 'failed'].includes(run.status),
    );
    expect(done.status).toBe('completed');
    expect(payments.executions.length - before).toBe(1);
  });

  it('releases a reservation when its action is declined, expires or fails', async () => {
    const { agent, assistantId } = await payingAssistant(bed.client, {
      max_per_period_usd: 5,
      always_ask: true,
    });
    const before = payments.executions.length;
    // Declined: the $4 it reserved is free again.
    const first = await pay(bed.client, assistantId, { amount_usd: 4 });
    expect(first.status).toBe('requires_action');
    const blocked = await pay(bed.client, assistantId, { amount_usd: 4 });
    expect(await agentOutput(bed.client, blocked)).toMatch(/\$4\.00 already spent or reserved/);
    await answer(bed.client, first, { approved: false, reason: 'not now' });
    // Expired: a proposal nobody answered in time holds nothing.
    const late = await pay(bed.client, assistantId, { amount_usd: 4, expires_in_seconds: 1 });
    expect(late.status).toBe('requires_action');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Failed at execution (the card was declined): nothing was spent.
    const failing = await pay(bed.client, assistantId, {
      amount_usd: 4,
      note: 'fail at execution',
    });
    expect(failing.status).toBe('requires_action');
    await answer(bed.client, failing, { approved: true });
    const last = await pay(bed.client, assistantId, { amount_usd: 4 });
    expect(last.status).toBe('requires_action');
    await answer(bed.client, last, { approved: true });
    expect(payments.executions.length - before).toBe(1);
    const actions = await actionsOf(bed.client, agent.id);
    expect(actions.map((action) => action.status)).toEqual([
      'declined',
      'denied',
      'expired',
      'failed',
      'executed',
    ]);
    const expired = await api(bed.client)('get', `/service_agents/actions/${actions[2].id}`);
    expect(expired.transitions.at(-1)).toMatchObject({
      from: 'pending_approval',
      to: 'expired',
      decided_by: 'system',
      reason: expect.stringMatching(/reservation was released/),
    });
  });
});

/**
 * A run's worker dies while a service agent it called (allowed by the policy, nobody asked) is paying:
 * the worker that takes the run over resumes the recorded tool call (same call id, same action, same
 * proposal id) instead of asking the model again, so a payment happens once. Node A runs the run until
 * the payment is held midway, then dies: its action heartbeat stops, its worker stops, and the run's
 * lease ends; node B (its own pool on PostgreSQL; the same file on SQLite) takes the run over. Time
 * passes on a clock the test moves, shared by both nodes' action leases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { DEFAULT_PROJECT_ID } from '../../src/domain/project.ts';
import { createActionLeases, type ActionLeases } from '../../src/service-agents/action-leases.ts';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { testDatabases } from '../helpers/databases.ts';
import { createTestPostgresStore, dropSchema, postgresTestUrl } from '../helpers/postgres.ts';
import { waitForRun } from '../helpers/run-test-bed.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { createTestPaymentsAgent, type TestPaymentsAgent } from '../helpers/test-payments-agent.ts';
import { waitFor } from '../helpers/wait-for.ts';

const LEASE_MS = 30_000;

function api(client: OpenAI) {
  return <T = any>(method: 'get' | 'post', path: string, body?: unknown) =>
    (client as any)[method](path, body === undefined ? undefined : { body }) as Promise<T>;
}

async function actionsOf(client: OpenAI, runId: string): Promise<any[]> {
  return (await api(client)('get', `/service_agents/actions?run_id=${runId}&order=asc&limit=100`))
    .data;
}

async function agentOutputs(client: OpenAI, threadId: string, runId: string) {
  const steps = await client.beta.threads.runs.steps.list(runId, {
    thread_id: threadId,
    order: 'asc',
  });
  return steps.data.map((step) => [
    step.type,
    step.status,
    step.type === 'tool_calls'
      ? (step.step_details as any).tool_calls.map((call: any) => [
          call.id,
          call.service_agent.output,
        ])
      : null,
  ]);
}

interface Node {
  app: App;
  client: OpenAI;
  leases: ActionLeases;
  dataDir: string;
}

describe.each(testDatabases)('a run taken over while its payment executes (%s)', (database) => {
  let upstream: ScriptedModel;
  let schema: string | undefined;
  /** Node A's store, and node B's (on SQLite the same one: one connection to one file). */
  let stores: [Store, Store];
  const clock = { now: 1_000_000_000_000 };
  const nodes: Node[] = [];
  /** Payments held midway, and node A's worker stopping (it waits for them). */
  const holds: Array<{ release(): void }> = [];
  const stopping: Array<Promise<void>> = [];

  beforeAll(async () => {
    upstream = await startScriptedModel();
    // The model calls the offered agent with the user's message as arguments, then reports back.
    upstream.respondWith((body) => {
      const last = body.messages.at(-1);
      if (last.role === 'tool') return { text: `Reported back: ${last.content}` };
      return {
        toolCalls: [{ name: body.tools[0].function.name, arguments: JSON.parse(last.content) }],
      };
    });
    if (database === 'postgres') {
      const created = await createTestPostgresStore();
      schema = created.schema;
      stores = [
        created.store,
        await createPostgresStore({ connectionString: postgresTestUrl, schema }),
      ];
    } else {
      const store = createSqliteStore(
        join(mkdtempSync(join(tmpdir(), 'concierge-takeover-')), 'takeover.db'),
      );
      await store.migrate();
      // Both nodes on one connection to one file (two connections in one thread would block).
      stores = [store, store];
    }
  });
  afterEach(async () => {
    for (const hold of holds.splice(0)) hold.release();
    await Promise.all(stopping.splice(0));
    for (const node of nodes.splice(0).reverse()) {
      await node.app.close();
      rmSync(node.dataDir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await stores[0].close();
    if (stores[1] !== stores[0]) await stores[1].close();
    await upstream?.stop();
    if (schema) await dropSchema(schema);
  });

  async function startNode(store: Store, payments: TestPaymentsAgent): Promise<Node> {
    const dataDir = mkdtempSync(join(tmpdir(), 'concierge-takeover-node-'));
    const leases = createActionLeases({
      durationMs: LEASE_MS,
      heartbeatMs: 20,
      now: () => clock.now,
    });
    const app = await createApp(
      ConfigSchema.parse({
        port: 0,
        logLevel: 'silent',
        dataDir,
        embeddingModel: 'none',
        providerBaseUrl: upstream.url,
        modelTimeoutSeconds: 5,
      }),
      // The app closes the store it is given: each node gets a view whose close only the suite does.
      {
        store: { ...store, close: async () => {} },
        logger: false,
        builtinAgents: [payments],
        actionLeases: leases,
      },
    );
    const baseURL = await app.listen();
    const node = {
      app,
      client: new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 }),
      leases,
      dataDir,
    };
    nodes.push(node);
    return node;
  }

  /** A paying agent on node A that the policy lets through without asking. */
  async function payingAgent(a: Node) {
    return api(a.client)('post', '/service_agents', {
      name: `pay_${Math.random().toString(36).slice(2, 8)}`,
      kind: 'builtin',
      builtin: 'test_payments',
      policy: { auto_approve_below_usd: 10, max_per_action_usd: 100 },
    });
  }

  /**
   * Node A, held midway through the payment of `runId`, dies: its action lease is no longer renewed,
   * its worker neither renews nor claims, and the run's lease ends. Node B starts (and takes over).
   */
  async function killNodeA(a: Node, payments: TestPaymentsAgent, runId: string) {
    a.leases.stop();
    const workerA = a.app.worker!;
    stopping.push(workerA.stop(0));
    await stores[0].runs.releaseLease(runId, workerA.id);
    clock.now += LEASE_MS + 1;
    return startNode(stores[1], payments);
  }

  /** Node A starts a run whose agent call the policy allows at once; A dies mid-payment; B takes over. */
  async function crashMidPayment(payments: TestPaymentsAgent, amount: number) {
    const a = await startNode(stores[0], payments);
    const agent = await payingAgent(a);
    const assistant = await a.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'service_agent', service_agent: { id: agent.id } } as any],
    });
    const requestsBefore = upstream.requests.length;
    const hold = payments.holdNext();
    holds.push(hold);
    const run = await a.client.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: JSON.stringify({ amount_usd: amount }) }] },
    });
    await hold.started;
    const b = await killNodeA(a, payments, run.id);
    const ended = await waitForRun(
      b.client,
      run.thread_id,
      run.id,
      (current) => ['completed', 'failed', 'requires_action', 'expired'].includes(current.status),
      20_000,
    );
    return {
      b,
      run,
      ended,
      modelCalls: () => upstream.requests.length - requestsBefore,
      /** The frozen node A comes back to life, and finishes what it was doing. */
      async thaw() {
        hold.release();
        await Promise.all(stopping.splice(0));
      },
    };
  }

  it('an agent that dedupes: the resumed call executes the same action again, and pays once', async () => {
    const payments = createTestPaymentsAgent({ dedupes: true });
    const crash = await crashMidPayment(payments, 5);
    expect(crash.ended.status).toBe('completed');
    // One model turn on A, one on B after the payment: the turn was not asked again.
    expect(crash.modelCalls()).toBe(2);
    const actions = await actionsOf(crash.b.client, crash.run.id);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ status: 'executed' });
    const proposalId = actions[0].proposal.id;
    expect(payments.attempts).toEqual([proposalId, proposalId]);
    expect(payments.executions).toEqual([proposalId]);
    const steps = await agentOutputs(crash.b.client, crash.run.thread_id, crash.run.id);
    expect(steps).toHaveLength(2);
    expect(steps[0]!.slice(0, 2)).toEqual(['tool_calls', 'completed']);
    const calls = steps[0]![2] as Array<[string, string]>;
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe(actions[0].tool_call_id);
    expect(calls[0]![1]).toMatch(/Paid \$5\.00; receipt r-1/);
    expect(steps[1]!.slice(0, 2)).toEqual(['message_creation', 'completed']);

    // The dead worker was only frozen: it comes back, the provider dedupes, and nothing is paid twice.
    await crash.thaw();
    expect(payments.executions).toEqual([proposalId]);
    const run = await crash.b.client.beta.threads.runs.retrieve(crash.run.id, {
      thread_id: crash.run.thread_id,
    });
    expect(run.status).toBe('completed');
    expect(await agentOutputs(crash.b.client, crash.run.thread_id, crash.run.id)).toEqual(steps);
  });

  it('an agent that cannot dedupe: the action needs review, the model is told, nothing is paid twice', async () => {
    const payments = createTestPaymentsAgent();
    const crash = await crashMidPayment(payments, 6);
    expect(crash.ended.status).toBe('completed');
    expect(crash.modelCalls()).toBe(2);
    const actions = await actionsOf(crash.b.client, crash.run.id);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ status: 'needs_review' });
    expect(payments.attempts).toHaveLength(1);
    const steps = await agentOutputs(crash.b.client, crash.run.thread_id, crash.run.id);
    const calls = steps[0]![2] as Array<[string, string]>;
    expect(calls[0]![1]).toMatch(/needs review/);
    const last = upstream.requests.at(-1)!.body.messages.at(-1);
    expect(last).toMatchObject({ role: 'tool', tool_call_id: actions[0].tool_call_id });
    expect(last.content).toMatch(/needs review/);

    // The frozen attempt comes back and pays, once; that is the only payment. Its worker, which lost
    // the run, writes nothing to it.
    await crash.thaw();
    expect(payments.executions).toHaveLength(1);
    expect(await agentOutputs(crash.b.client, crash.run.thread_id, crash.run.id)).toEqual(steps);
    await waitFor(
      async () => {
        const [action] = await actionsOf(crash.b.client, crash.run.id);
        return action.status === 'executed';
      },
      'the frozen attempt recording its payment',
      5_000,
    );
  });

  it('resumes the same way when the run was started through the Responses API', async () => {
    const payments = createTestPaymentsAgent({ dedupes: true });
    const a = await startNode(stores[0], payments);
    const agent = await payingAgent(a);
    const requestsBefore = upstream.requests.length;
    const hold = payments.holdNext();
    holds.push(hold);
    const created = await a.client.responses.create({
      model: 'gpt-4o',
      input: JSON.stringify({ amount_usd: 4 }),
      tools: [{ type: 'service_agent', service_agent: { id: agent.id } } as any],
      background: true,
    });
    await hold.started;
    const [action] = (
      await stores[0].serviceAgentActions.list(
        DEFAULT_PROJECT_ID,
        { limit: 1, order: 'desc' },
        { serviceAgentId: agent.id },
      )
    ).data;
    const b = await killNodeA(a, payments, action!.run_id!);
    let response = await b.client.responses.retrieve(created.id);
    await waitFor(
      async () => {
        response = await b.client.responses.retrieve(created.id);
        return !['queued', 'in_progress'].includes(response.status!);
      },
      'node B finishing the response',
      20_000,
    );
    expect(response.status).toBe('completed');
    expect(upstream.requests.length - requestsBefore).toBe(2);
    expect(response.output_text).toMatch(/Paid \$4\.00; receipt r-1/);
    expect(payments.executions).toEqual([action!.proposal.id]);
    hold.release();
    await Promise.all(stopping.splice(0));
    expect(payments.executions).toEqual([action!.proposal.id]);
  });
});

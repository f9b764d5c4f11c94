/**
 * What happens to an action a crash left `executing` (a direct call's: an approval outside a run).
 * Each "node" is its own direct-call flow with its own leases (on PostgreSQL, its own pool on the
 * same schema); a crash is a node whose heartbeats stop while its payment is held midway, and time
 * passes on a clock the test moves. The payment provider is the test payments agent, shared by the
 * nodes as one provider would be.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../domain/ids.ts';
import type { ServiceAgent } from '../domain/service-agent.ts';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.ts';
import { createPostgresStore } from '../storage/postgres/postgres-store.ts';
import type { Store } from '../storage/store.ts';
import {
  createTestPostgresStore,
  dropSchema,
  postgresTestUrl,
} from '../../test/helpers/postgres.ts';
import { testDatabases } from '../../test/helpers/databases.ts';
import {
  createTestPaymentsAgent,
  type TestPaymentsAgent,
} from '../../test/helpers/test-payments-agent.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { createActionLeases, type ActionLeases } from './action-leases.ts';
import { followResult, resumeWithAnswer, type FlowContext } from './action-flow.ts';
import { createDirectAgentCalls, type DirectAgentCalls } from './direct-call.ts';
import { createGuardedInputValidator } from './guarded-input-validation.ts';

const PROJECT = 'proj_recovery';
const LEASE_MS = 30_000;
const context = { signal: new AbortController().signal };

function serviceAgent(payments: TestPaymentsAgent): ServiceAgent {
  return {
    id: newId('serviceAgent'),
    object: 'service_agent',
    created_at: 1,
    name: `pay_${newId('serviceAgent').slice(-8)}`,
    description: 'Pays',
    kind: 'builtin',
    input_schema: payments.inputSchema,
    policy: {},
    metadata: {},
    builtin: 'test_payments',
    assistant_id: null,
    url: null,
  };
}

describe.each(testDatabases)('recovering an action a crash left executing (%s)', (database) => {
  /** Two stores on one database: two nodes' pools on PostgreSQL; one file, shared, on SQLite. */
  let stores: [Store, Store];
  let schema: string | undefined;
  const clock = { now: 1_000_000_000_000 };

  beforeAll(async () => {
    if (database === 'postgres') {
      const created = await createTestPostgresStore();
      schema = created.schema;
      stores = [
        created.store,
        await createPostgresStore({ connectionString: postgresTestUrl, schema }),
      ];
    } else {
      const store = createSqliteStore(
        join(mkdtempSync(join(tmpdir(), 'concierge-recovery-')), 'recovery.db'),
      );
      await store.migrate();
      stores = [store, store];
    }
  });
  afterAll(async () => {
    await stores[0].close();
    if (stores[1] !== stores[0]) await stores[1].close();
    if (schema) await dropSchema(schema);
  });

  interface Node {
    calls: DirectAgentCalls;
    leases: ActionLeases;
  }

  function node(store: Store, payments: TestPaymentsAgent): Node {
    const leases = createActionLeases({
      durationMs: LEASE_MS,
      heartbeatMs: 20,
      now: () => clock.now,
    });
    // Its schemas have no patterns: checked in place, no worker started.
    const inputValidator = createGuardedInputValidator();
    return {
      calls: createDirectAgentCalls({ store, builtins: [payments], leases, inputValidator }),
      leases,
    };
  }

  /** A payments agent in the store, nodes A, B and C (C on A's store), and an action to approve. */
  async function setUp(payments: TestPaymentsAgent) {
    const agent = serviceAgent(payments);
    await stores[0].serviceAgents.insert(PROJECT, agent);
    const nodes = {
      a: node(stores[0], payments),
      b: node(stores[1], payments),
      c: node(stores[0], payments),
    };
    const asked = await nodes.a.calls.call(PROJECT, agent, '{"amount_usd": 5}', context);
    if (asked.kind !== 'ask') throw new Error(`Expected an approval request, got ${asked.kind}`);
    const approve = (on: Node) =>
      on.calls.answer(PROJECT, asked.action.id, { approved: true }, null, context);
    const stored = async () =>
      (await stores[1].serviceAgentActions.find(PROJECT, asked.action.id))!;
    const transitions = () => stores[1].serviceAgentActions.transitions(PROJECT, asked.action.id);
    return { nodes, action: asked.action, approve, stored, transitions };
  }

  /** Node A claims the action and is held midway through the payment, then stops renewing: a crash. */
  async function crashMidPayment(
    payments: TestPaymentsAgent,
    setup: Awaited<ReturnType<typeof setUp>>,
  ) {
    const hold = payments.holdNext();
    const first = setup.approve(setup.nodes.a);
    await hold.started;
    setup.nodes.a.leases.stop();
    clock.now += LEASE_MS + 1;
    return { hold, first };
  }

  it('after a crash mid-payment, one re-approval executes it again with the same key: one payment', async () => {
    const payments = createTestPaymentsAgent({ dedupes: true });
    const setup = await setUp(payments);
    const proposalId = setup.action.proposal.id;
    const { hold, first } = await crashMidPayment(payments, setup);

    const recovered = await setup.approve(setup.nodes.b);
    expect(recovered).toMatchObject({ kind: 'done', status: 'completed' });
    expect(recovered.kind === 'done' && recovered.output).toMatch(/Paid \$5\.00; receipt r-1/);
    expect(payments.attempts).toEqual([proposalId, proposalId]);
    expect(payments.executions).toEqual([proposalId]);
    expect((await setup.stored()).action.status).toBe('executed');
    const takeovers = (await setup.transitions()).filter(
      (step) => step.from === 'executing' && step.to === 'executing',
    );
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]!.reason).toMatch(/lapsed.*same idempotency key/);

    // The crashed attempt comes back to life: the provider dedupes it, and it writes nothing.
    hold.release();
    await first;
    expect(payments.executions).toEqual([proposalId]);
    const executed = (await setup.transitions()).filter((step) => step.to === 'executed');
    expect(executed).toHaveLength(1);
  });

  it('two recoverers at once: exactly one takes the action over and executes it', async () => {
    const payments = createTestPaymentsAgent({ dedupes: true });
    const setup = await setUp(payments);
    const { hold, first } = await crashMidPayment(payments, setup);

    // Both read the lapsed lease before either writes: each store's takeOver waits for the other.
    const arrivals: Array<() => void> = [];
    const bothArrived = new Promise<void>((resolve) => arrivals.push(resolve));
    let arrived = 0;
    const restore: Array<() => void> = [];
    for (const store of new Set(stores)) {
      const repository = store.serviceAgentActions;
      const takeOver = repository.takeOver;
      repository.takeOver = async (...args) => {
        if (++arrived === 2) arrivals[0]!();
        await bothArrived;
        return takeOver.apply(repository, args);
      };
      restore.push(() => (repository.takeOver = takeOver));
    }
    try {
      const outcomes = await Promise.all([
        setup.approve(setup.nodes.b),
        setup.approve(setup.nodes.c),
      ]);
      const outputs = outcomes.map((outcome) => (outcome.kind === 'done' ? outcome.output : ''));
      expect(outputs.filter((output) => /Paid \$5\.00/.test(output))).toHaveLength(1);
      expect(outputs.filter((output) => /already taken up/.test(output))).toHaveLength(1);
    } finally {
      for (const undo of restore) undo();
    }
    expect(arrived).toBe(2);
    // The held attempt and one recoverer called the agent; the other recoverer did not.
    expect(payments.attempts).toHaveLength(2);
    expect(payments.executions).toHaveLength(1);
    expect((await setup.stored()).action.status).toBe('executed');
    hold.release();
    await first;
    expect(payments.executions).toHaveLength(1);
  });

  it('a live lease is never stolen: its heartbeat keeps it past its first expiry', async () => {
    const payments = createTestPaymentsAgent({ dedupes: true });
    const setup = await setUp(payments);
    const hold = payments.holdNext();
    const first = setup.approve(setup.nodes.a);
    await hold.started;
    const claimed = (await setup.stored()).lease!;
    expect(claimed.expires_at_ms).toBe(clock.now + LEASE_MS);

    const early = await setup.approve(setup.nodes.b);
    expect(early.kind === 'done' && early.output).toMatch(/being carried out by another request/);

    // Past the claim's first expiry: A's heartbeat renews it from the new time before B asks again.
    clock.now = claimed.expires_at_ms + 1;
    await waitFor(
      async () => (await setup.stored()).lease!.expires_at_ms === clock.now + LEASE_MS,
      "node A's heartbeat renewing its lease",
      5_000,
    );
    const late = await setup.approve(setup.nodes.b);
    expect(late.kind === 'done' && late.output).toMatch(/being carried out by another request/);
    expect(payments.attempts).toHaveLength(1);
    expect(
      (await setup.transitions()).filter(
        (step) => step.from === 'executing' && step.to === 'executing',
      ),
    ).toHaveLength(0);

    hold.release();
    expect(await first).toMatchObject({ kind: 'done', status: 'completed' });
    expect(payments.executions).toHaveLength(1);
    expect((await setup.stored()).action.status).toBe('executed');
    setup.nodes.a.leases.stop();
  });

  it('an agent that cannot dedupe is not executed again: its action needs review', async () => {
    const payments = createTestPaymentsAgent();
    const setup = await setUp(payments);
    const { hold, first } = await crashMidPayment(payments, setup);

    const recovered = await setup.approve(setup.nodes.b);
    expect(recovered).toMatchObject({ kind: 'done', status: 'failed' });
    expect(recovered.kind === 'done' && recovered.output).toMatch(/needs review/);
    expect(payments.attempts).toHaveLength(1);
    const { action } = await setup.stored();
    expect(action.status).toBe('needs_review');
    expect(action.result).toMatchObject({ error: 'interrupted', needs_review: true });
    // It may have paid: its value stays counted against the limits.
    expect(
      await stores[1].serviceAgentActions.committed(PROJECT, action.service_agent_id, {
        sinceSeconds: 0,
        countPending: false,
      }),
    ).toBe(5);
    const again = await setup.approve(setup.nodes.c);
    expect(again.kind === 'done' && again.output).toMatch(/needs review/);
    expect(payments.attempts).toHaveLength(1);

    // The attempt presumed dead was only slow: it pays once, and records what really happened.
    hold.release();
    await first;
    expect(payments.executions).toHaveLength(1);
    expect((await setup.stored()).action.status).toBe('executed');
    expect((await setup.transitions()).map((step) => step.to)).toEqual([
      'pending_approval',
      'approved',
      'executing',
      'needs_review',
      'executed',
    ]);
  });

  it("a run's call resumed by the worker that took the run over waits for the lease, then recovers it", async () => {
    const payments = createTestPaymentsAgent({ dedupes: true });
    const agent = serviceAgent(payments);
    await stores[0].serviceAgents.insert(PROJECT, agent);
    const runId = newId('run');
    let reads = 0;
    /** The flow of the run's call on a worker: A first, then B after A died. */
    const flow = (store: Store, leases: ActionLeases): FlowContext => ({
      store,
      projectId: PROJECT,
      agent,
      builtin: payments,
      toolCallId: 'call_0',
      leases,
      agentContext: {
        projectId: PROJECT,
        serviceAgentId: agent.id,
        runId,
        threadId: newId('thread'),
        signal: context.signal,
        progress: () => {},
      },
    });
    const workerA = flow(stores[0], node(stores[0], payments).leases);
    const leasesB = createActionLeases({
      durationMs: LEASE_MS,
      now: () => (reads++, clock.now),
    });
    const workerB = flow(stores[1], leasesB);
    const asked = await followResult(
      workerA,
      await payments.prepare({ amount_usd: 7 }, workerA.agentContext),
    );
    if (asked.kind !== 'ask') throw new Error(`Expected an approval request, got ${asked.kind}`);

    const hold = payments.holdNext();
    const first = resumeWithAnswer(workerA, '{"approved": true}', null);
    await hold.started;
    workerA.leases.stop();
    // B resumes the run while A's lease is still live: it reads the lease, and waits.
    const resumed = resumeWithAnswer(workerB, '{"approved": true}', null);
    await waitFor(async () => reads > 0, 'worker B reading the lease', 5_000);
    expect(payments.attempts).toHaveLength(1);
    clock.now += LEASE_MS + 1;
    const outcome = await resumed;
    expect(outcome).toMatchObject({ kind: 'done', status: 'completed' });
    expect(payments.attempts).toEqual([asked.action.proposal.id, asked.action.proposal.id]);
    expect(payments.executions).toEqual([asked.action.proposal.id]);
    hold.release();
    await first;
    expect(payments.executions).toHaveLength(1);
  });
});

/**
 * `POST /v1/service_agents/actions/{action_id}/resolution`: a person resolves an action left in
 * `needs_review` (an attempt stopped midway, and its agent cannot dedupe). Succeeded, its value counts
 * as spent; failed, its reservation is released. Two resolutions at once (on PostgreSQL through two
 * nodes, each with its own pool) record one; the other gets a 409. Both pass the status check before
 * either writes: the compare-and-set decides.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../app.ts';
import { ConfigSchema } from '../../config/config-schema.ts';
import { DEFAULT_PROJECT_ID } from '../../domain/project.ts';
import { newId } from '../../domain/ids.ts';
import type { ServiceAgentAction } from '../../domain/service-agent.ts';
import { createPostgresStore } from '../../storage/postgres/postgres-store.ts';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../storage/store.ts';
import { testDatabases } from '../../../test/helpers/databases.ts';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import {
  createTestPostgresStore,
  dropSchema,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import { createTestPaymentsAgent } from '../../../test/helpers/test-payments-agent.ts';

const PROJECT = DEFAULT_PROJECT_ID;

const resolve = (app: App, id: string, body: unknown) =>
  request(app.server, 'POST', `/v1/service_agents/actions/${id}/resolution`, body);

describe.each(testDatabases)('resolving an action that needs review (%s)', (database) => {
  let first: App;
  /** A second node on the same database (PostgreSQL: its own pool); on SQLite the same app. */
  let second: App;
  let schema: string | undefined;
  const directories: string[] = [];
  let agentId: string;

  async function node(store: Store): Promise<App> {
    const dataDir = mkdtempSync(join(tmpdir(), 'concierge-resolution-'));
    directories.push(dataDir);
    return createApp(
      ConfigSchema.parse({ port: 0, logLevel: 'silent', dataDir, embeddingModel: 'none' }),
      { store, logger: false, builtinAgents: [createTestPaymentsAgent()] },
    );
  }

  beforeAll(async () => {
    if (database === 'postgres') {
      const created = await createTestPostgresStore();
      schema = created.schema;
      first = await node(created.store);
      second = await node(await createPostgresStore({ connectionString: postgresTestUrl, schema }));
    } else {
      first = await node(createSqliteStore(':memory:'));
      second = first;
    }
    const created = await request(first.server, 'POST', '/v1/service_agents', {
      name: 'pay',
      kind: 'builtin',
      builtin: 'test_payments',
      policy: { max_per_period_usd: 100 },
    });
    if (created.status !== 200) throw new Error(`Creating the agent failed: ${created.status}`);
    agentId = created.body.id;
  });
  afterAll(async () => {
    if (second !== first) await second.close();
    await first.close();
    if (schema) await dropSchema(schema);
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  /** An action whose executing attempt stopped midway: `needs_review`, its $5 still reserved. */
  async function actionInReview(): Promise<ServiceAgentAction> {
    const store = first.store;
    const now = Math.floor(Date.now() / 1000);
    const approved: ServiceAgentAction = {
      id: newId('action'),
      object: 'service_agent.action',
      created_at: now,
      updated_at: now,
      service_agent_id: agentId,
      run_id: null,
      thread_id: null,
      tool_call_id: null,
      status: 'approved',
      proposal: {
        id: newId('proposal'),
        kind: 'payment',
        summary: 'Pay $5.00 to shop.test',
        value_usd: 5,
        merchant: 'shop.test',
        slippage_bps: null,
        expires_at: now + 600,
        details: {},
      } as ServiceAgentAction['proposal'],
      decision: { outcome: 'allow', rules: [] },
      approval: null,
      result: null,
      value_usd: 5,
    };
    const system = { decided_by: 'system' as const, reason: 'test' };
    await store.serviceAgentActions.insert(PROJECT, approved, undefined, system);
    const lease = { holder: 'node_dead/1', expires_at_ms: 1 };
    const executing = { ...approved, status: 'executing' as const };
    expect(
      await store.serviceAgentActions.compareAndSet(PROJECT, executing, 'approved', system, {
        next: lease,
      }),
    ).toBe(true);
    const review = {
      ...executing,
      status: 'needs_review' as const,
      result: { error: 'interrupted', needs_review: true },
    };
    expect(
      await store.serviceAgentActions.compareAndSet(PROJECT, review, 'executing', system, {
        next: lease,
        expected: lease,
      }),
    ).toBe(true);
    return review;
  }

  const spent = () =>
    first.store.serviceAgentActions.committed(PROJECT, agentId, {
      sinceSeconds: 0,
      countPending: false,
    });

  it('succeeded: the action is executed and its value counts as spent', async () => {
    const before = await spent();
    const action = await actionInReview();
    expect((await spent()) - before).toBe(5);
    const resolved = await resolve(first, action.id, {
      outcome: 'succeeded',
      note: 'The PSP shows the charge.',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      id: action.id,
      status: 'executed',
      value_usd: 5,
      result: { resolution: { outcome: 'succeeded', note: 'The PSP shows the charge.' } },
    });
    expect(resolved.body.transitions.at(-1)).toMatchObject({
      from: 'needs_review',
      to: 'executed',
      decided_by: 'person',
      reason: expect.stringMatching(/went through.*The PSP shows the charge\./),
    });
    expect((await spent()) - before).toBe(5);
    // Resolved once: a second resolution is refused, and changes nothing.
    const again = await resolve(first, action.id, { outcome: 'failed' });
    expect(again.status).toBe(400);
    expect(errorOf(again).message).toMatch(/is executed; only an action in needs_review/);
    expect((await spent()) - before).toBe(5);
  });

  it('failed: the action fails and its reservation is released', async () => {
    const before = await spent();
    const action = await actionInReview();
    const resolved = await resolve(first, action.id, { outcome: 'failed' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'failed', value_usd: 0 });
    expect(await spent()).toBe(before);
    // The attempt presumed dead can no longer write its outcome: its lease ended with the review.
    const late = await first.store.serviceAgentActions.compareAndSet(
      PROJECT,
      { ...action, status: 'executed' },
      'needs_review',
      { decided_by: 'system', reason: 'late' },
      { expected: { holder: 'node_dead/1' } },
    );
    expect(late).toBe(false);
  });

  it('two resolutions at once, on two nodes: exactly one is recorded, the other gets a 409', async () => {
    const before = await spent();
    const action = await actionInReview();
    // Both requests read `needs_review` before either writes.
    let arrived = 0;
    let bothArrived!: () => void;
    const gate = new Promise<void>((resolveGate) => (bothArrived = resolveGate));
    const restore: Array<() => void> = [];
    for (const store of new Set([first.store, second.store])) {
      const repository = store.serviceAgentActions;
      const compareAndSet = repository.compareAndSet;
      repository.compareAndSet = async (...args) => {
        if (args[2] === 'needs_review') {
          if (++arrived === 2) bothArrived();
          await gate;
        }
        return compareAndSet.apply(repository, args);
      };
      restore.push(() => (repository.compareAndSet = compareAndSet));
    }
    let results;
    try {
      results = await Promise.all([
        resolve(first, action.id, { outcome: 'succeeded' }),
        resolve(second, action.id, { outcome: 'failed' }),
      ]);
    } finally {
      for (const undo of restore) undo();
    }
    expect(arrived).toBe(2);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
    const winner = results.find((result) => result.status === 200)!;
    const loser = results.find((result) => result.status === 409)!;
    expect(errorOf(loser).message).toMatch(/resolved or ended by another request first/);
    const stored = await request(first.server, 'GET', `/v1/service_agents/actions/${action.id}`);
    expect(stored.body.status).toBe(winner.body.status);
    expect(
      stored.body.transitions.filter((step: { from: string }) => step.from === 'needs_review'),
    ).toHaveLength(1);
    expect((await spent()) - before).toBe(winner.body.status === 'executed' ? 5 : 0);
  });

  it('refuses an unknown action, and a body that is not a resolution', async () => {
    const missing = await resolve(first, newId('action'), { outcome: 'failed' });
    expect(missing.status).toBe(404);
    const action = await actionInReview();
    for (const body of [{}, { outcome: 'maybe' }, { outcome: 'failed', extra: 1 }]) {
      const refused = await resolve(first, action.id, body);
      expect(refused.status).toBe(400);
      expect(errorOf(refused).type).toBe('invalid_request_error');
    }
    expect((await first.store.serviceAgentActions.find(PROJECT, action.id))!.action.status).toBe(
      'needs_review',
    );
  });
});

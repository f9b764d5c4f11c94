/**
 * The contract for service-agent actions: spending decisions serialized per agent (concurrent callers,
 * and callers on a second store over the same database, never overspend a limit), compare-and-set
 * status writes, the status machine, and the transition log. Both adapters' test files call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidActionTransitionError } from '../domain/action-status.ts';
import { newId } from '../domain/ids.ts';
import type { ActionStatus, ServiceAgent, ServiceAgentAction } from '../domain/service-agent.ts';
import type { StoreFactory } from './store.contract.ts';
import type { Store } from './store.ts';

const PROJECT = 'proj_actions';
const NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;

function agent(): ServiceAgent {
  return {
    id: newId('serviceAgent'),
    object: 'service_agent',
    created_at: NOW,
    name: `pay_${newId('serviceAgent').slice(-8)}`,
    description: 'Pays',
    kind: 'builtin',
    input_schema: {},
    policy: { max_per_period_usd: 2, period: 'day' },
    metadata: {},
    builtin: 'test_payments',
    assistant_id: null,
    url: null,
  };
}

function action(
  serviceAgentId: string,
  value: number,
  status: ActionStatus = 'pending_approval',
): ServiceAgentAction {
  const id = newId('action');
  return {
    id,
    object: 'service_agent.action',
    created_at: NOW,
    updated_at: NOW,
    service_agent_id: serviceAgentId,
    run_id: null,
    thread_id: null,
    tool_call_id: `call_${id.slice(-8)}`,
    status,
    proposal: {
      id: newId('proposal'),
      kind: 'payment',
      summary: `Pay $${value}`,
      value_usd: value,
      asset: null,
      contract: null,
      merchant: null,
      host: null,
      slippage_bps: null,
      expires_at: NOW + 600,
      details: {},
    },
    decision: { outcome: 'ask', rules: [] },
    approval: null,
    result: null,
    value_usd: value,
  };
}

const policyNote = { decided_by: 'policy' as const, reason: 'fits' };

/**
 * The check-then-act every proposal does: lock the agent, read spent + reserved, insert if it fits.
 * The pause between reading and writing invites any interleaving the lock fails to prevent.
 */
function tryReserve(store: Store, serviceAgentId: string, value: number): Promise<boolean> {
  return store.transaction(async (transaction) => {
    const locked = await transaction.serviceAgents.findForUpdate(PROJECT, serviceAgentId);
    const committed = await transaction.serviceAgentActions.committed(PROJECT, serviceAgentId, {
      sinceSeconds: NOW - DAY,
      countPending: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!locked || committed + value > locked.policy.max_per_period_usd!) return false;
    await transaction.serviceAgentActions.insert(
      PROJECT,
      action(serviceAgentId, value),
      undefined,
      policyNote,
    );
    return true;
  });
}

/** `twin`: a second, independent store over the same database (another API node or worker). */
export function runServiceAgentActionsContract(
  name: string,
  factory: StoreFactory & { twin?(store: Store): Promise<Store> },
): void {
  describe(`service-agent actions contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await factory.create();
    });
    afterAll(async () => {
      await store.close();
      await factory.destroy?.(store);
    });

    async function newAgent(): Promise<ServiceAgent> {
      const created = agent();
      await store.serviceAgents.insert(PROJECT, created);
      return created;
    }

    it('reserves atomically: ten concurrent $1 proposals on a $2 limit reserve exactly $2', async () => {
      const payer = await newAgent();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => tryReserve(store, payer.id, 1)),
      );
      expect(results.filter(Boolean)).toHaveLength(2);
      expect(
        await store.serviceAgentActions.committed(PROJECT, payer.id, {
          sinceSeconds: NOW - DAY,
          countPending: true,
        }),
      ).toBe(2);
    });

    it.runIf(factory.twin)(
      'reserves atomically across two stores on the same database',
      async () => {
        const twin = await factory.twin!(store);
        try {
          const payer = await newAgent();
          const results = await Promise.all(
            Array.from({ length: 12 }, (_, index) =>
              tryReserve(index % 2 ? twin : store, payer.id, 1),
            ),
          );
          expect(results.filter(Boolean)).toHaveLength(2);
          const listed = await twin.serviceAgentActions.list(
            PROJECT,
            { limit: 100, order: 'asc' },
            { serviceAgentId: payer.id },
          );
          expect(listed.data).toHaveLength(2);
        } finally {
          await twin.close();
        }
      },
    );

    it('counts executed spend in the period and open actions as reserved, releasing the rest', async () => {
      const payer = await newAgent();
      const entries: Array<[ActionStatus, number, number | null]> = [
        ['pending_approval', 1, null],
        ['approved', 2, null],
        ['denied', 64, null],
      ];
      const stored = [];
      for (const [status, value] of entries) {
        const created = action(payer.id, value, status);
        await store.serviceAgentActions.insert(PROJECT, created, { secret: 1 }, policyNote);
        stored.push(created);
      }
      const executing = { ...stored[1]!, status: 'executing' as const };
      expect(
        await store.serviceAgentActions.compareAndSet(PROJECT, executing, 'approved', policyNote),
      ).toBe(true);
      const executed = { ...executing, status: 'executed' as const, updated_at: NOW };
      expect(
        await store.serviceAgentActions.compareAndSet(PROJECT, executed, 'executing', policyNote),
      ).toBe(true);
      const total = (
        query: { countPending: boolean; excludeActionId?: string },
        since = NOW - DAY,
      ) =>
        store.serviceAgentActions.committed(PROJECT, payer.id, { sinceSeconds: since, ...query });
      expect(await total({ countPending: true })).toBe(3);
      expect(await total({ countPending: false })).toBe(2);
      expect(await total({ countPending: true, excludeActionId: stored[0]!.id })).toBe(2);
      // Executed before the period began: no longer counted.
      expect(await total({ countPending: false }, NOW + 1)).toBe(0);
      const declined = { ...stored[0]!, status: 'declined' as const, value_usd: 0 };
      await store.serviceAgentActions.compareAndSet(
        PROJECT,
        declined,
        'pending_approval',
        policyNote,
      );
      expect(await total({ countPending: true })).toBe(2);
      expect((await store.serviceAgentActions.find(PROJECT, stored[0]!.id))?.state).toEqual({
        secret: 1,
      });
    });

    it("feeds the operator's gauges: pending approvals, policy denials, executed spend by agent", async () => {
      const before = await store.gauges.read();
      const payer = await newAgent();
      const statuses: ActionStatus[] = ['pending_approval', 'pending_approval', 'denied'];
      for (const status of statuses)
        await store.serviceAgentActions.insert(
          PROJECT,
          action(payer.id, 1, status),
          {},
          policyNote,
        );
      const approved = action(payer.id, 1.25, 'approved');
      await store.serviceAgentActions.insert(PROJECT, approved, {}, policyNote);
      const executing = { ...approved, status: 'executing' as const };
      await store.serviceAgentActions.compareAndSet(PROJECT, executing, 'approved', policyNote);
      const executed = { ...executing, status: 'executed' as const };
      await store.serviceAgentActions.compareAndSet(PROJECT, executed, 'executing', policyNote);

      const after = await store.gauges.read();
      expect(after.pendingApprovals - before.pendingApprovals).toBe(2);
      expect(after.deniedActions - before.deniedActions).toBe(1);
      expect(after.executedSpendUsd.find((entry) => entry.serviceAgent === payer.name)).toEqual({
        serviceAgent: payer.name,
        usd: 1.25,
      });
    });

    it('refuses a stale compare-and-set and a transition the status machine does not have', async () => {
      const payer = await newAgent();
      const created = action(payer.id, 1);
      await store.serviceAgentActions.insert(PROJECT, created, undefined, policyNote);
      const approve = { ...created, status: 'approved' as const };
      const decline = { ...created, status: 'declined' as const };
      const person = { decided_by: 'person' as const, key_id: 'key_a', reason: null };
      const [first, second] = await Promise.all([
        store.serviceAgentActions.compareAndSet(PROJECT, approve, 'pending_approval', person),
        store.serviceAgentActions.compareAndSet(PROJECT, decline, 'pending_approval', person),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      const winner = first ? 'approved' : 'declined';
      expect((await store.serviceAgentActions.find(PROJECT, created.id))?.action.status).toBe(
        winner,
      );
      // A write from a status the action has left changes nothing and logs nothing.
      expect(
        await store.serviceAgentActions.compareAndSet(
          PROJECT,
          { ...created, status: 'expired' },
          'pending_approval',
          policyNote,
        ),
      ).toBe(false);
      await expect(
        store.serviceAgentActions.compareAndSet(
          PROJECT,
          { ...created, status: 'executed' },
          'pending_approval',
          policyNote,
        ),
      ).rejects.toBeInstanceOf(InvalidActionTransitionError);
      await expect(
        store.serviceAgentActions.insert(
          PROJECT,
          action(payer.id, 1, 'executed'),
          undefined,
          policyNote,
        ),
      ).rejects.toBeInstanceOf(InvalidActionTransitionError);
      expect(
        (await store.serviceAgentActions.transitions(PROJECT, created.id)).map((row) => row.to),
      ).toEqual(['pending_approval', winner]);
    });

    it('logs every transition as its own row, with who decided, scoped to the project', async () => {
      const payer = await newAgent();
      const created = action(payer.id, 1);
      await store.serviceAgentActions.insert(PROJECT, created, undefined, policyNote);
      const approved = { ...created, status: 'approved' as const, updated_at: NOW + 1 };
      await store.serviceAgentActions.compareAndSet(PROJECT, approved, 'pending_approval', {
        decided_by: 'person',
        key_id: 'key_b',
        reason: 'ok',
      });
      const denied = { ...approved, status: 'denied' as const, updated_at: NOW + 2 };
      await store.serviceAgentActions.compareAndSet(PROJECT, denied, 'approved', {
        decided_by: 'policy',
        reason: 'over the limit',
      });
      expect(await store.serviceAgentActions.transitions(PROJECT, created.id)).toEqual([
        {
          object: 'service_agent.action.transition',
          from: null,
          to: 'pending_approval',
          at: NOW,
          decided_by: 'policy',
          project_id: PROJECT,
          key_id: null,
          reason: 'fits',
        },
        {
          object: 'service_agent.action.transition',
          from: 'pending_approval',
          to: 'approved',
          at: NOW + 1,
          decided_by: 'person',
          project_id: PROJECT,
          key_id: 'key_b',
          reason: 'ok',
        },
        {
          object: 'service_agent.action.transition',
          from: 'approved',
          to: 'denied',
          at: NOW + 2,
          decided_by: 'policy',
          project_id: PROJECT,
          key_id: null,
          reason: 'over the limit',
        },
      ]);
      expect(await store.serviceAgentActions.transitions('proj_other', created.id)).toEqual([]);
    });

    it('leases an executing action: renewed by its holder only, taken over once it lapsed, by one caller', async () => {
      const payer = await newAgent();
      const created = action(payer.id, 1, 'approved');
      await store.serviceAgentActions.insert(PROJECT, created, undefined, policyNote);
      const first = { holder: 'node_a/1', expires_at_ms: 10_000 };
      const executing = { ...created, status: 'executing' as const };
      const actions = store.serviceAgentActions;
      expect(
        await actions.compareAndSet(PROJECT, executing, 'approved', policyNote, { next: first }),
      ).toBe(true);
      expect((await actions.find(PROJECT, created.id))?.lease).toEqual(first);
      expect(await actions.renewLease(PROJECT, created.id, 'node_b/1', 20_000)).toBe(false);
      expect(await actions.renewLease(PROJECT, created.id, first.holder, 20_000)).toBe(true);
      const held = { ...first, expires_at_ms: 20_000 };
      const note = { decided_by: 'system' as const, reason: 'lapsed' };
      // Live at 19 999 (and the expiry it was renewed from is no longer the stored one).
      expect(
        await actions.takeOver(
          PROJECT,
          executing,
          first,
          { holder: 'x/1', expires_at_ms: 1 },
          25_000,
          note,
        ),
      ).toBe(false);
      expect(
        await actions.takeOver(
          PROJECT,
          executing,
          held,
          { holder: 'x/2', expires_at_ms: 1 },
          19_999,
          note,
        ),
      ).toBe(false);

      const twin = factory.twin ? await factory.twin(store) : store;
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            (index % 2 ? twin : store).serviceAgentActions.takeOver(
              PROJECT,
              executing,
              held,
              { holder: `node_${index}/1`, expires_at_ms: 90_000 },
              20_000,
              note,
            ),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        if (twin !== store) await twin.close();
      }
      const { lease } = (await actions.find(PROJECT, created.id))!;
      expect(lease?.expires_at_ms).toBe(90_000);
      expect(
        (await actions.transitions(PROJECT, created.id)).filter(
          (step) => step.from === 'executing' && step.to === 'executing',
        ),
      ).toHaveLength(1);
      // The old holder can neither renew nor end it; the new one can.
      expect(await actions.renewLease(PROJECT, created.id, first.holder, 99_000)).toBe(false);
      const executed = { ...executing, status: 'executed' as const };
      expect(
        await actions.compareAndSet(PROJECT, executed, 'executing', policyNote, {
          expected: { holder: first.holder },
        }),
      ).toBe(false);
      expect(
        await actions.compareAndSet(PROJECT, executed, 'executing', policyNote, {
          expected: { holder: lease!.holder },
        }),
      ).toBe(true);
      expect((await actions.find(PROJECT, created.id))?.lease).toBeNull();
    });
  });
}

/**
 * The contract of the runs table as the work queue: claims with leases, heartbeats, hand-backs,
 * deferred claims, expiry, compare-and-set status writes, and one active run per thread. Both
 * adapters' test files call `runRunsQueueContract`, so SQLite and PostgreSQL (FOR UPDATE SKIP LOCKED)
 * prove the same behaviour, with truly parallel claimers and writers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  NO_OPTIONS,
  testAssistantMessage,
  testRun,
  testStep,
} from '../../test/helpers/engine-fixtures.ts';
import { newId } from '../domain/ids.ts';
import type { Message } from '../domain/message.ts';
import { newMessage } from '../domain/new-message.ts';
import type { Run, RunStatus, RunStep } from '../domain/run.ts';
import type { RunRecord } from '../domain/run-record.ts';
import { ActiveRunConflictError } from './ports/runs-port.ts';
import type { StoreFactory } from './store.contract.ts';
import type { Store } from './store.ts';

const PROJECT = 'proj_queue';

function record(run: Run, lockedBy: string | null = null, leaseUntil: number | null = null) {
  return { projectId: PROJECT, run, options: NO_OPTIONS, lockedBy, leaseUntil } as RunRecord;
}

/** A completed end of `run` under `worker-a`: its answer closed, its usage, its event at `seq`. */
function ending(run: Run, message: Message, step: RunStep, seq: number) {
  const ended = { ...run, status: 'completed' as const, completed_at: 9 };
  return {
    writes: {
      updateMessages: [{ ...message, status: 'completed' as const, completed_at: 9 }],
      updateSteps: [{ ...step, status: 'completed' as const, completed_at: 9 }],
    },
    events: [{ runId: run.id, seq, event: 'thread.run.completed' as const, data: '{}' }],
    status: {
      run: ended,
      expectedStatus: 'in_progress' as const,
      workerId: 'worker-a',
      usage: {
        projectId: PROJECT,
        apiKeyId: `key_${run.id}`,
        model: 'gpt-4o',
        endedAt: 600,
        inputTokens: 5,
        outputTokens: 4,
        modelRequests: 1,
      },
    },
  };
}

export function runRunsQueueContract(name: string, factory: StoreFactory): void {
  describe(`runs queue contract: ${name}`, () => {
    let store: Store;
    const threads: string[] = [];
    // Far from the wall clock, so a lease written here is never mistaken for a live one elsewhere.
    let now = Date.now() + 10_000_000;

    beforeAll(async () => {
      store = await factory.create();
      await store.projects.insert({
        id: PROJECT,
        object: 'organization.project',
        name: PROJECT,
        created_at: 1,
        archived_at: null,
        status: 'active',
      });
    });
    // Each case starts from an empty queue: its threads (and their runs) go.
    afterEach(async () => {
      for (const id of threads.splice(0)) await store.threads.delete(PROJECT, id);
      now += 1_000_000;
    });
    afterAll(async () => {
      await factory.destroy?.(store);
      await store.close();
    });

    async function thread(): Promise<string> {
      const id = newId('thread');
      await store.threads.insert(PROJECT, {
        id,
        object: 'thread',
        created_at: 1,
        tool_resources: {},
        metadata: {},
      });
      threads.push(id);
      return id;
    }

    async function queued(overrides: Partial<Run> = {}): Promise<Run> {
      const run = testRun(await thread(), overrides);
      await store.runs.insert(record(run), [
        { runId: run.id, event: 'thread.run.created', data: JSON.stringify(run) },
      ]);
      return run;
    }

    /** Moves `run` to `status` as its holder `workerId` would. */
    async function move(run: Run, status: RunStatus, workerId?: string): Promise<Run> {
      const next = { ...run, status };
      expect(
        await store.runs.compareAndSet(PROJECT, next, run.status, [], workerId),
      ).not.toBeNull();
      return next;
    }

    it('gives each queued run to exactly one of many parallel claimers, oldest first', async () => {
      const runs = [
        await queued({ created_at: 1_700_000_003 }),
        await queued({ created_at: 1_700_000_001 }),
        await queued({ created_at: 1_700_000_002 }),
      ];
      const oldest = runs[1]!;
      const first = await store.runs.claimNext('worker-first', now, now + 1000);
      expect(first).toMatchObject({ run: { id: oldest.id }, lockedBy: 'worker-first' });
      expect(first?.leaseUntil).toBe(now + 1000);
      expect(first?.run.status).toBe('queued');

      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          store.runs.claimNext(`worker-${index}`, now, now + 1000),
        ),
      );
      const claimed = claims.filter((claim) => claim !== undefined);
      expect(claimed.map((claim) => claim.run.id).sort()).toEqual(
        [runs[0]!.id, runs[2]!.id].sort(),
      );
      for (const claim of claimed)
        expect((await store.runs.findRecord(claim.run.id))?.lockedBy).toBe(claim.lockedBy);
      expect(await store.runs.claimNext('worker-late', now, now + 1000)).toBeUndefined();
    });

    it('lets another worker take over a run whose lease lapsed, and refuses its first owner', async () => {
      const run = await queued();
      await store.runs.claimNext('worker-a', now, now + 1000);
      const started = await move(run, 'in_progress', 'worker-a');
      // While the lease holds, nobody else gets the run.
      expect(await store.runs.claimNext('worker-b', now + 500, now + 1500)).toBeUndefined();

      const taken = await store.runs.claimNext('worker-b', now + 2000, now + 3000);
      expect(taken).toMatchObject({
        run: { id: run.id, status: 'in_progress' },
        lockedBy: 'worker-b',
        leaseUntil: now + 3000,
      });
      // The first owner's heartbeat and writes find the run gone.
      expect(await store.runs.renewLeases('worker-a', [run.id], now + 9000)).toEqual([]);
      const stale = { ...started, status: 'completed' as const };
      expect(
        await store.runs.compareAndSet(PROJECT, stale, 'in_progress', [], 'worker-a'),
      ).toBeNull();
      expect(await store.runs.renewLeases('worker-b', [run.id], now + 9000)).toEqual([
        { id: run.id, status: 'in_progress' },
      ]);
      expect((await store.runs.findRecord(run.id))?.leaseUntil).toBe(now + 9000);
      // A run in requires_action waits for its client, whatever its lease.
      await move(started, 'requires_action', 'worker-b');
      expect(await store.runs.claimNext('worker-c', now + 20_000, now + 21_000)).toBeUndefined();
    });

    it('reports the status another node wrote to the heartbeat of the worker holding the run', async () => {
      const run = await queued();
      await store.runs.claimNext('worker-a', now, now + 1000);
      const started = await move(run, 'in_progress', 'worker-a');
      await move(started, 'cancelling');
      expect(await store.runs.renewLeases('worker-a', [run.id, 'run_unknown'], now + 2000)).toEqual(
        [{ id: run.id, status: 'cancelling' }],
      );
      expect(await store.runs.renewLeases('worker-a', [], now + 2000)).toEqual([]);
    });

    it('refuses a stale compare-and-set, writing neither the run nor its events', async () => {
      const run = await queued();
      const started = await move(run, 'in_progress');
      const stale = { ...run, status: 'cancelled' as const, cancelled_at: 5 };
      const event = { runId: run.id, event: 'thread.run.cancelled' as const, data: '{}' };
      expect(await store.runs.compareAndSet(PROJECT, stale, 'queued', [event])).toBeNull();
      expect(await store.runs.find(PROJECT, run.id)).toEqual(started);
      expect(await store.runEvents.lastSeq(run.id)).toBe(1);
      // Another project's id behaves as an unknown one.
      expect(
        await store.runs.compareAndSet(
          'proj_other',
          { ...started, status: 'failed' },
          'in_progress',
          [],
        ),
      ).toBeNull();
    });

    it('lets exactly one of parallel compare-and-sets from the same status land', async () => {
      const run = await queued();
      const endings: RunStatus[] = ['cancelled', 'expired', 'in_progress', 'failed', 'in_progress'];
      const results = await Promise.all(
        endings.map((status) =>
          store.runs.compareAndSet(PROJECT, { ...run, status }, 'queued', [
            { runId: run.id, event: `thread.run.${status}` as 'thread.run.failed', data: '{}' },
          ]),
        ),
      );
      const landed = results.flatMap((stored, index) => (stored ? [endings[index]!] : []));
      expect(landed).toHaveLength(1);
      expect((await store.runs.find(PROJECT, run.id))?.status).toBe(landed[0]);
      const events = await store.runEvents.listAfter(run.id, 0, 10);
      expect(events.map((event) => [event.seq, event.event])).toEqual([
        [1, 'thread.run.created'],
        [2, `thread.run.${landed[0]}`],
      ]);
    });

    it('rolls a compare-and-set back when its events would take a seq already stored', async () => {
      const run = await queued();
      const next = { ...run, status: 'in_progress' as const };
      const event = { runId: run.id, event: 'thread.run.in_progress' as const, data: '{}' };
      await expect(
        store.runs.compareAndSet(PROJECT, next, 'queued', [event], undefined, 0),
      ).rejects.toBeInstanceOf(Error);
      expect((await store.runs.find(PROJECT, run.id))?.status).toBe('queued');
      expect(
        await store.runs.compareAndSet(PROJECT, next, 'queued', [event], undefined, 1),
      ).toEqual([{ ...event, seq: 2 }]);
    });

    /** A run in progress under `worker-a`, with its answer's message and step opened in one write. */
    async function answering() {
      const held = testRun(await thread());
      await store.runs.insert(record(held, 'worker-a', now + 60_000), [
        { runId: held.id, event: 'thread.run.created', data: '{}' },
      ]);
      const run = await move(held, 'in_progress', 'worker-a');
      const message = testAssistantMessage(run);
      const step = testStep(run, {
        type: 'message_creation',
        message_creation: { message_id: message.id },
      });
      const opened = {
        runId: run.id,
        seq: 2,
        event: 'thread.message.created' as const,
        data: '{}',
      };
      const writes = { insertMessages: [message], insertSteps: [step] };
      expect(await store.runs.writeWithEvents(PROJECT, writes, [opened])).toBe(true);
      return { run, message, step };
    }

    const usageOf = (apiKeyId: string) =>
      store.usage.list({ startTime: 0, endTime: 6000, apiKeyIds: [apiKeyId] });

    it('stores a run’s end with its message, step, usage and events, or, lost, none of them', async () => {
      const { run, message, step } = await answering();
      expect(await store.messages.find(PROJECT, message.id)).toEqual(message);
      const end = ending(run, message, step, 3);
      // Another node moved the run first: nothing of the end is written.
      await move(run, 'cancelling', 'worker-a');
      expect(await store.runs.writeWithEvents(PROJECT, end.writes, end.events, end.status)).toBe(
        false,
      );
      expect((await store.runs.find(PROJECT, run.id))?.status).toBe('cancelling');
      expect(await store.messages.find(PROJECT, message.id)).toEqual(message);
      expect(await store.runSteps.find(PROJECT, run.id, step.id)).toEqual(step);
      expect(await store.runEvents.lastSeq(run.id)).toBe(2);
      expect(await usageOf(end.status.usage.apiKeyId)).toEqual([]);
      // From the status it expects, the same write lands whole.
      const fromCancelling = { ...end.status, expectedStatus: 'cancelling' as const };
      expect(
        await store.runs.writeWithEvents(PROJECT, end.writes, end.events, fromCancelling),
      ).toBe(true);
      expect(await store.runs.find(PROJECT, run.id)).toEqual(end.status.run);
      expect(await store.messages.find(PROJECT, message.id)).toEqual(end.writes.updateMessages[0]);
      expect(await store.runSteps.find(PROJECT, run.id, step.id)).toEqual(
        end.writes.updateSteps[0],
      );
      expect(await store.runEvents.lastSeq(run.id)).toBe(3);
      const [usage] = await usageOf(end.status.usage.apiKeyId);
      expect([usage?.inputTokens, usage?.outputTokens, usage?.modelRequests]).toEqual([5, 4, 1]);
    });

    it('writes nothing of a write whose events would take a seq already stored', async () => {
      const { run, message, step } = await answering();
      const end = ending(run, message, step, 2);
      await expect(
        store.runs.writeWithEvents(PROJECT, end.writes, end.events, end.status),
      ).rejects.toBeInstanceOf(Error);
      expect((await store.runs.find(PROJECT, run.id))?.status).toBe('in_progress');
      expect(await store.messages.find(PROJECT, message.id)).toEqual(message);
      expect(await usageOf(end.status.usage.apiKeyId)).toEqual([]);
      // An opening (no status change) whose seq is taken stores neither its message nor its step.
      const second = testAssistantMessage(run);
      const secondStep = testStep(run, {
        type: 'message_creation',
        message_creation: { message_id: second.id },
      });
      await expect(
        store.runs.writeWithEvents(
          PROJECT,
          { insertMessages: [second], insertSteps: [secondStep] },
          [{ runId: run.id, seq: 2, event: 'thread.message.created', data: '{}' }],
        ),
      ).rejects.toBeInstanceOf(Error);
      expect(await store.messages.find(PROJECT, second.id)).toBeUndefined();
      expect(await store.runSteps.find(PROJECT, run.id, secondStep.id)).toBeUndefined();
    });

    it('keeps one active run per thread, also against parallel inserts', async () => {
      const threadId = await thread();
      const runs = Array.from({ length: 4 }, () => testRun(threadId));
      const inserted = await Promise.allSettled(
        runs.map((run) => store.runs.insert(record(run), [])),
      );
      expect(inserted.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(
        inserted.flatMap((result) =>
          result.status === 'rejected' ? [result.reason instanceof ActiveRunConflictError] : [],
        ),
      ).toEqual([true, true, true]);
      const active = (await store.runs.findActive(PROJECT, threadId))!;
      expect(runs.map((run) => run.id)).toContain(active.id);

      // Every active status holds the thread; an ended run frees it.
      let current = active;
      for (const status of [
        'in_progress',
        'requires_action',
        'queued',
        'in_progress',
        'cancelling',
      ] as const) {
        current = await move(current, status);
        await expect(store.runs.insert(record(testRun(threadId)), [])).rejects.toBeInstanceOf(
          ActiveRunConflictError,
        );
      }
      await move(current, 'cancelled');
      expect(await store.runs.findActive(PROJECT, threadId)).toBeUndefined();
      await store.runs.insert(record(testRun(threadId)), []);
    });

    it('stores a run with its thread and messages all or nothing (a conflicting insert writes nothing)', async () => {
      // Parallel creations on one thread, each with a message: one wins, the others write nothing.
      const threadId = await thread();
      const attempts = Array.from({ length: 4 }, () => {
        const run = testRun(threadId);
        const message = newMessage(threadId, { role: 'user', content: 'Hi' }, 1);
        return { run, message };
      });
      const inserted = await Promise.allSettled(
        attempts.map(({ run, message }) =>
          store.runs.insert(
            record(run),
            [{ runId: run.id, event: 'thread.run.created', data: '{}' }],
            { messages: [message] },
          ),
        ),
      );
      const won = attempts.filter((_, index) => inserted[index]!.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(
        inserted.flatMap((result) =>
          result.status === 'rejected' ? [result.reason instanceof ActiveRunConflictError] : [],
        ),
      ).toEqual([true, true, true]);
      for (const { run, message } of attempts) {
        const stored = won[0]!.run.id === run.id;
        expect(Boolean(await store.messages.find(PROJECT, message.id))).toBe(stored);
        expect(Boolean(await store.runs.find(PROJECT, run.id))).toBe(stored);
        expect(await store.runEvents.listAfter(run.id, 0, 10)).toHaveLength(stored ? 1 : 0);
      }

      // A new thread whose message's id is taken: neither the thread nor the run nor its events are
      // stored, and the failure is not mistaken for an active run.
      const taken = won[0]!.message;
      const newThreadId = newId('thread');
      const fresh = {
        id: newThreadId,
        object: 'thread' as const,
        created_at: 1,
        tool_resources: {},
        metadata: {},
      };
      const run = testRun(newThreadId);
      const insert = store.runs.insert(
        record(run),
        [{ runId: run.id, event: 'thread.run.created', data: '{}' }],
        { thread: fresh, messages: [{ ...taken, thread_id: newThreadId }] },
      );
      await expect(insert).rejects.toBeInstanceOf(Error);
      await expect(insert).rejects.not.toBeInstanceOf(ActiveRunConflictError);
      expect(await store.threads.find(PROJECT, newThreadId)).toBeUndefined();
      expect(await store.runs.find(PROJECT, run.id)).toBeUndefined();
      expect(await store.runEvents.listAfter(run.id, 0, 10)).toEqual([]);

      // Without a conflict, all of it is stored.
      const message = newMessage(newThreadId, { role: 'user', content: 'Hi' }, 1);
      threads.push(newThreadId);
      await store.runs.insert(record(run), [], { thread: fresh, messages: [message] });
      expect(await store.threads.find(PROJECT, newThreadId)).toMatchObject({ id: newThreadId });
      expect(await store.messages.find(PROJECT, message.id)).toMatchObject({ id: message.id });
      expect((await store.runs.findActive(PROJECT, newThreadId))?.id).toBe(run.id);
    });

    it('inserts a run already leased to its own worker, which no one else claims', async () => {
      const run = testRun(await thread());
      await store.runs.insert(record(run, 'worker-own', now + 1000), []);
      expect(await store.runs.claimNext('worker-b', now, now + 1000)).toBeUndefined();
      expect((await store.runs.findRecord(run.id))?.lockedBy).toBe('worker-own');
    });

    it('releases a lease only for its holder; a run handed back is claimable at once', async () => {
      const run = await queued();
      await store.runs.claimNext('worker-a', now, now + 60_000);
      await move(run, 'in_progress', 'worker-a');
      await store.runs.releaseLease(run.id, 'worker-b');
      expect(await store.runs.claimNext('worker-b', now, now + 1000)).toBeUndefined();
      await store.runs.releaseLease(run.id, 'worker-a');
      expect(await store.runs.findRecord(run.id)).toMatchObject({ lockedBy: null, leaseUntil: 0 });
      expect((await store.runs.claimNext('worker-b', now, now + 1000))?.lockedBy).toBe('worker-b');
    });

    it('defers a queued run it holds until a given time, and only that', async () => {
      const run = await queued();
      await store.runs.claimNext('worker-a', now, now + 1000);
      expect(await store.runs.deferClaim(run.id, 'worker-b', now + 5000)).toBe(false);
      expect(await store.runs.deferClaim(run.id, 'worker-a', now + 5000)).toBe(true);
      expect(await store.runs.findRecord(run.id)).toMatchObject({
        lockedBy: null,
        leaseUntil: now + 5000,
      });
      expect(await store.runs.claimNext('worker-b', now + 4000, now + 6000)).toBeUndefined();
      const claimed = await store.runs.claimNext('worker-b', now + 5001, now + 6000);
      expect(claimed).toMatchObject({
        run: { id: run.id, status: 'queued' },
        lockedBy: 'worker-b',
      });
      // A run that is no longer queued is not deferred.
      await move(run, 'in_progress', 'worker-b');
      expect(await store.runs.deferClaim(run.id, 'worker-b', now + 9000)).toBe(false);
      expect((await store.runs.findRecord(run.id))?.lockedBy).toBe('worker-b');
    });

    it('lists waiting runs whose expiry passed, soonest first, within the limit', async () => {
      const late = await queued({ expires_at: 1_000 });
      const waiting = await move(await queued({ expires_at: 900 }), 'in_progress');
      await move(waiting, 'requires_action');
      await move(await queued({ expires_at: 800 }), 'in_progress');
      await queued({ expires_at: 2_000 });
      await queued({ expires_at: null });
      const expired = await store.runs.listExpired(1_000, 10);
      expect(expired.map((entry) => entry.run.id)).toEqual([waiting.id, late.id]);
      expect(expired[0]).toMatchObject({ projectId: PROJECT, options: NO_OPTIONS });
      expect((await store.runs.listExpired(1_000, 1)).map((entry) => entry.run.id)).toEqual([
        waiting.id,
      ]);
      expect(await store.runs.listExpired(799, 10)).toEqual([]);
    });
  });
}

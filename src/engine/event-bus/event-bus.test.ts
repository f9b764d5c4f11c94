import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../domain/run-event.ts';
import {
  createEngineStore,
  insertTestRun,
  PROJECT,
  newThread,
  testRun,
} from '../../../test/helpers/engine-fixtures.ts';
import {
  dropSchema,
  createTestPostgresStore,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import { postgresClientConfig } from '../../storage/postgres/postgres-store.ts';
import { runEventBusContract } from '../event-bus.contract.ts';
import { createInProcessEventBus } from './in-process-event-bus.ts';
import { createPostgresEventBus, NOTIFY_PAYLOAD_LIMIT, packEvents } from './postgres-event-bus.ts';

/** Polls until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

runEventBusContract('in-process', async () => {
  const bus = createInProcessEventBus();
  return { sender: bus, receiver: bus, store: async () => {}, close: () => bus.close() };
});

describe.runIf(postgresAvailable)('PostgreSQL event bus', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  async function pairOfBuses(applicationName: string) {
    const { store, schema } = await createTestPostgresStore();
    schemas.push(schema);
    const connect = () =>
      new pg.Client({
        ...postgresClientConfig({ connectionString: postgresTestUrl, schema }),
        application_name: applicationName,
      });
    // Stands in for the run_events table (its rows need runs, threads and a project).
    const stored = new Map<string, RunEvent>();
    const events = {
      listAfter: async (runId: string, afterSeq: number) =>
        [stored.get(`${runId}/${afterSeq + 1}`)].filter((item) => item !== undefined),
    };
    const bus = () =>
      createPostgresEventBus({
        connect,
        events,
        channelPrefix: `concierge_${schema}`,
        maxBackoffMs: 200,
      });
    const sender = bus();
    const receiver = bus();
    await Promise.all([sender.ready, receiver.ready]);
    return {
      sender,
      receiver,
      store: async (items: RunEvent[]) => {
        for (const item of items) stored.set(`${item.runId}/${item.seq}`, item);
      },
      close: async () => {
        await Promise.all([sender.close(), receiver.close()]);
        await store.close();
      },
    };
  }

  runEventBusContract('postgres', () => pairOfBuses('concierge_bus_contract'));

  it('packs events into payloads under the NOTIFY limit, keeping order, and refers to ones too big', () => {
    const events = Array.from({ length: 40 }, (_, index) => ({
      runId: 'run_a',
      seq: index + 1,
      event: 'thread.message.delta' as const,
      data: 'y'.repeat(index === 7 ? 9000 : 700),
    }));
    const payloads = packEvents('node', events);
    expect(payloads.every((payload) => Buffer.byteLength(payload) < NOTIFY_PAYLOAD_LIMIT)).toBe(
      true,
    );
    const carried = payloads.flatMap((payload) =>
      (JSON.parse(payload).events ?? []).map((tuple: [string, number]) => tuple[1]),
    );
    expect(carried).toEqual(events.map((item) => item.seq).filter((seq) => seq !== 8));
    expect(payloads.flatMap((payload) => JSON.parse(payload).refs ?? [])).toEqual([['run_a', 8]]);
  });

  it('reconnects after its connection is terminated, and wakes workers that may have missed a notification', async () => {
    const name = `concierge_bus_${Date.now()}`;
    const pair = await pairOfBuses(name);
    let woken = 0;
    pair.receiver.onRunnable(() => (woken += 1));
    const admin = new pg.Client({ connectionString: postgresTestUrl });
    await admin.connect();
    const backends = async () =>
      (
        await admin.query<{ pid: number }>(
          'select pid from pg_stat_activity where application_name = $1',
          [name],
        )
      ).rows.map((row) => row.pid);
    try {
      // `ready` also resolves when a first attempt failed and a retry is scheduled.
      await until(
        async () =>
          pair.receiver.connected && pair.sender.connected && (await backends()).length === 2,
        'both buses listen',
      );
      const before = await backends();
      const terminated = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1::int[])',
        [before],
      );
      expect(terminated.rowCount).toBe(2);
      // Back on new backends: a bus's `connected` flag only changes once it has heard the news.
      await until(async () => {
        const now = await backends();
        return now.length === 2 && now.every((pid) => !before.includes(pid));
      }, 'both buses are on new connections');
      await until(
        () => pair.receiver.connected && pair.sender.connected && woken > 0,
        'the buses reconnected and woke the workers',
      );
      const received: string[] = [];
      pair.receiver.onCancel((runId) => received.push(runId));
      pair.sender.notifyCancel('run_after_reconnect');
      await until(() => received.length > 0, 'the cancel request arrived');
      expect(received).toEqual(['run_after_reconnect']);
    } finally {
      await admin.end();
      await pair.close();
    }
  });

  it('sends stored events in the storing statement: another process delivers them without a read, and the bus connection sends nothing', async () => {
    const store = await createEngineStore('postgres');
    const prefix = `concierge_handover_${Date.now()}`;
    let reads = 0;
    const events = {
      listAfter: async (runId: string, afterSeq: number, limit: number) => {
        reads += 1;
        return store.runEvents.listAfter(runId, afterSeq, limit);
      },
    };
    // Every statement the sender's bus connection sends after it listens.
    const senderStatements: string[] = [];
    const sender = createPostgresEventBus({
      connect: () => {
        const client = new pg.Client({ connectionString: postgresTestUrl });
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as unknown as { query: typeof query }).query = (...args) => {
          const text = String(args[0]);
          if (!text.startsWith('listen')) senderStatements.push(text);
          return query(...args);
        };
        return client;
      },
      events,
      channelPrefix: prefix,
    });
    const receiver = createPostgresEventBus({
      connect: () => new pg.Client({ connectionString: postgresTestUrl }),
      events,
      channelPrefix: prefix,
    });
    try {
      await Promise.all([sender.ready, receiver.ready]);
      store.sendRunEventNotifications!(sender.handOverEventNotifications());
      const run = testRun(await newThread(store));
      const received: RunEvent[] = [];
      receiver.subscribe(run.id, (event) => received.push(event));
      // Inserting a run stores its first events in a transaction, with their notifications.
      const created = await insertTestRun(store, run);
      sender.publish(created);
      // As the engine does: store, then publish (now to this process's listeners only).
      const store_ = async (batch: RunEvent[]) => {
        await store.runEvents.append(batch);
        sender.publish(batch);
      };
      const delta = (seq: number, text: string): RunEvent => ({
        runId: run.id,
        seq,
        event: 'thread.message.delta',
        data: JSON.stringify({ text }),
      });
      const small = [delta(3, 'a'), delta(4, 'b')];
      await store_(small);
      // Rolled back: its notification is never delivered.
      await expect(
        store.transaction(async (transaction) => {
          await transaction.runEvents.append([delta(5, 'rolled back')]);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const big = delta(5, 'x'.repeat(9000));
      await store_([big, delta(6, 'c')]);
      // A compare-and-set stores its event in its one statement; one that lost the race sends none.
      const started = { ...run, status: 'in_progress' as const };
      const statusEvent = {
        runId: run.id,
        event: 'thread.run.in_progress' as const,
        data: JSON.stringify(started),
      };
      const [moved] = (await store.runs.compareAndSet(
        PROJECT,
        started,
        'queued',
        [statusEvent],
        undefined,
        6,
      ))!;
      sender.publish([moved!]);
      expect(
        await store.runs.compareAndSet(PROJECT, started, 'queued', [statusEvent], undefined, 7),
      ).toBeNull();
      await until(() => received.length >= 7, 'the seven stored events arrived');
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The bus delivers a referenced event after the carried ones (streams restore seq order).
      const bySeq = [...received].sort((left, right) => left.seq - right.seq);
      const stored = [...created, ...small, big, delta(6, 'c'), moved!];
      expect(bySeq.map((event) => [event.seq, event.data.length])).toEqual(
        stored.map((event) => [event.seq, event.data.length]),
      );
      expect(bySeq).toEqual(stored);
      // One read: the event too big for a notification.
      expect(reads).toBe(1);
      expect(senderStatements).toEqual([]);
    } finally {
      await Promise.all([sender.close(), receiver.close()]);
      await store.close();
    }
  });
});
